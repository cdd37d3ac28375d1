import { lazy, Suspense, useEffect } from 'react';
import { ChangePasswordPage } from './auth/change-password-page.js';
import { PortalSessionContext } from './auth/session-context.js';
import { SignInPage } from './auth/sign-in-page.js';
import { SIGNED_OUT_NOTICES, useSession } from './auth/use-session.js';
import { PortalShell } from './portal/portal-shell.js';
import { navigate } from './routing/history-store.js';
import { LOGIN_PATH, loginPathFor, nextPathAfterLogin, resolveRoute } from './routing/routes.js';
import { useLocation } from './routing/use-location.js';
import { LoadingScreen } from './loading-screen.js';
import { UnavailableScreen } from './unavailable-screen.js';

/** Sessions (and the terminal / RDP client they load) are fetched only when one is opened. */
const SessionPage = lazy(() => import('./session/session-page.js').then((m) => ({ default: m.SessionPage })));

/**
 * Decides what to show from two things: the session (loading, signed out, must change password,
 * signed in) and the URL. Keeps the URL honest: signed-out users land on /login?next=…, signed-in
 * users are sent from /login to where they were going.
 */
export function App() {
  const session = useSession();
  const { state } = session;
  const { pathname, search } = useLocation();
  const route = resolveRoute(pathname, search);

  useEffect(() => {
    if (route.kind === 'redirect') navigate(route.to, { replace: true });
    // After an explicit sign-out start afresh; after a lost session come back to the same page.
    else if (state.status === 'signed-out' && route.kind === 'session') navigate(LOGIN_PATH, { replace: true });
    else if (state.status === 'signed-out' && route.kind === 'portal')
      navigate(state.reason === 'signed-out' ? LOGIN_PATH : loginPathFor(`${pathname}${search}`), { replace: true });
    else if (state.status === 'signed-in' && route.kind === 'login') navigate(nextPathAfterLogin(search), { replace: true });
  }, [route, state, pathname, search]);

  switch (state.status) {
    case 'loading':
      return <LoadingScreen />;
    case 'unavailable':
      return <UnavailableScreen message={state.message} retry={() => void session.refresh()} />;
    case 'signed-out':
      return <SignInPage notice={state.reason && SIGNED_OUT_NOTICES[state.reason]} signIn={session.signIn} />;
    case 'signed-in':
      if (state.user.mustChangePassword) return <ChangePasswordPage api={session.api} done={session.refresh} signOut={session.signOut} />;
      return (
        <PortalSessionContext.Provider value={{ api: session.api, user: state.user, signOut: session.signOut }}>
          {route.kind === 'session' ? (
            <Suspense fallback={<LoadingScreen />}>
              <SessionPage id={route.id} />
            </Suspense>
          ) : (
            <PortalShell route={route.kind === 'portal' ? route : { kind: 'portal', page: undefined }} />
          )}
        </PortalSessionContext.Provider>
      );
  }
}
