import { useCallback, useEffect, useMemo, useState } from 'react';
import type { User } from '../../../protocol/src/api-types.js';
import { ApiClient } from '../api/api-client.js';
import { isApiError, userMessage } from '../api/api-error.js';
import { bastionApi, type BastionApi } from '../api/bastion-api.js';

export type SessionState =
  | { status: 'loading' }
  /** `reason` says why the sign-in page is shown, when there is something to tell the user. */
  | { status: 'signed-out'; reason?: SignedOutReason }
  | { status: 'signed-in'; user: User }
  /** The server could not be asked at all (not 401): shown with a retry button. */
  | { status: 'unavailable'; message: string };

export interface Session {
  state: SessionState;
  api: BastionApi;
  /** Throws ApiError (wrong password, rate limited) for the sign-in page to show. */
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Asks `/api/auth/me` again (after a password change, or to retry). */
  refresh(): Promise<void>;
}

export type SignedOutReason = 'signed-out' | 'session-ended';

/** What the sign-in page says for each reason. */
export const SIGNED_OUT_NOTICES: Record<SignedOutReason, string> = {
  'signed-out': 'You have signed out.',
  'session-ended': 'Your session has ended. Sign in again.',
};

/** Owns the API client and the signed-in user; the one place that knows whether we are signed in. */
export function useSession(): Session {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const api = useMemo(
    () => bastionApi(new ApiClient({ onUnauthenticated: () => setState({ status: 'signed-out', reason: 'session-ended' }) })),
    [],
  );

  const refresh = useCallback(async () => {
    try {
      const { user } = await api.me();
      setState({ status: 'signed-in', user });
    } catch (error) {
      if (isApiError(error) && error.status === 401) setState({ status: 'signed-out' });
      else setState({ status: 'unavailable', message: userMessage(error) });
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const { user } = await api.login({ username, password });
      setState({ status: 'signed-in', user });
    },
    [api],
  );

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // The cookie may already be gone; signing out locally is what the user asked for.
    }
    setState({ status: 'signed-out', reason: 'signed-out' });
  }, [api]);

  return { state, api, signIn, signOut, refresh };
}
