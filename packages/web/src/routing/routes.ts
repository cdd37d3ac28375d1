/** The app's URL space. Pure functions, so they can be tested without a browser. */

export type PortalPageId = 'vms' | 'vnets' | 'bastions' | 'users' | 'audit';

export interface PortalPage {
  id: PortalPageId;
  path: string;
  /** Nav label, page heading and table name. */
  label: string;
  adminOnly: boolean;
}

export const LOGIN_PATH = '/login';

export const PORTAL_PAGES: readonly PortalPage[] = [
  { id: 'vms', path: '/portal/vms', label: 'Virtual machines', adminOnly: false },
  { id: 'vnets', path: '/portal/vnets', label: 'Virtual networks', adminOnly: false },
  { id: 'bastions', path: '/portal/bastions', label: 'Bastions', adminOnly: false },
  { id: 'users', path: '/portal/users', label: 'Users', adminOnly: true },
  { id: 'audit', path: '/portal/audit', label: 'Audit log', adminOnly: true },
];

export const DEFAULT_PORTAL_PATH = '/portal/vms';

export type AppRoute =
  | { kind: 'login' }
  | { kind: 'redirect'; to: string }
  /** `page` is undefined for an unknown portal path (shown as "Page not found" inside the portal). */
  | { kind: 'portal'; page: PortalPage | undefined };

const trimSlash = (path: string): string => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

export function resolveRoute(pathname: string): AppRoute {
  const path = trimSlash(pathname).toLowerCase();
  if (path === LOGIN_PATH) return { kind: 'login' };
  if (path === '/' || path === '/portal' || path === '/index.html') return { kind: 'redirect', to: DEFAULT_PORTAL_PATH };
  return { kind: 'portal', page: PORTAL_PAGES.find((p) => p.path === path) };
}

/** Pages a user may see in the nav. */
export const visiblePages = (isAdmin: boolean): PortalPage[] => PORTAL_PAGES.filter((p) => isAdmin || !p.adminOnly);

/** Only same-app portal paths are followed after sign-in (no open redirects to other origins). */
export function isSafeNextPath(path: string): boolean {
  return /^\/portal(\/[A-Za-z0-9_\-/]*)?$/.test(path) && !path.includes('//');
}

/** The sign-in URL that returns to `from` afterwards. */
export function loginPathFor(from: string): string {
  return from === DEFAULT_PORTAL_PATH || !isSafeNextPath(from) ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(from)}`;
}

/** Where to go after sign-in, from the login URL's query. */
export function nextPathAfterLogin(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next !== null && isSafeNextPath(next) ? next : DEFAULT_PORTAL_PATH;
}
