import { useSyncExternalStore } from 'react';
import { currentLocation, subscribeToLocation } from './history-store.js';

export interface LocationParts {
  pathname: string;
  search: string;
}

/** Re-renders the caller whenever the location changes; answers its path and query. */
export function useLocation(): LocationParts {
  const location = useSyncExternalStore(subscribeToLocation, currentLocation);
  const queryAt = location.indexOf('?');
  return queryAt < 0 ? { pathname: location, search: '' } : { pathname: location.slice(0, queryAt), search: location.slice(queryAt) };
}
