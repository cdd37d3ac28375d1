import { createContext, useContext } from 'react';
import type { User } from '../../../protocol/src/api-types.js';
import type { BastionApi } from '../api/bastion-api.js';

/** What portal pages need from the session: the API, the signed-in user and sign-out. */
export interface PortalSession {
  api: BastionApi;
  user: User;
  signOut(): Promise<void>;
}

export const PortalSessionContext = createContext<PortalSession | null>(null);

export function usePortalSession(): PortalSession {
  const session = useContext(PortalSessionContext);
  if (!session) throw new Error('usePortalSession must be used inside PortalSessionContext.');
  return session;
}
