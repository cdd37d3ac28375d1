/**
 * The browser location as a tiny store over the History API: `navigate` pushes (or replaces) an entry
 * and tells subscribers; Back/Forward arrive as `popstate`. No router package needed.
 */
type Listener = () => void;

const listeners = new Set<Listener>();

const notify = (): void => {
  for (const listener of listeners) listener();
};

/** Path plus query of the current location, e.g. `/login?next=%2Fportal%2Fusers`. */
export const currentLocation = (): string => `${window.location.pathname}${window.location.search}`;

/** Goes to `to` (same origin, `/…`) without reloading; `replace` keeps the history length unchanged. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentLocation()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** Subscribes to location changes (own navigations and Back/Forward); returns the unsubscribe function. */
export function subscribeToLocation(listener: Listener): () => void {
  listeners.add(listener);
  if (listeners.size === 1) window.addEventListener('popstate', notify);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', notify);
  };
}
