/** The app's URL space. Pure functions, so they can be tested without a browser. */
import type { User, UserPermissions } from '../../../protocol/src/api-types.js';

export type PortalPageId = 'vms' | 'vnets' | 'bastions' | 'iam' | 'users' | 'audit' | 'recordings' | 'sessions' | 'vaults' | 'account';

export interface PortalPage {
  id: PortalPageId;
  path: string;
  /** Nav label, page heading and table name. */
  label: string;
  /** The nav shows the page only with this permission (see `canSeePage`). */
  permission?: keyof UserPermissions;
  /** Without the permission the page itself says "Access denied" (otherwise the server decides). */
  restricted: boolean;
  /** Not in the side navigation (My account opens from the user menu). */
  menuOnly?: boolean;
}

export const LOGIN_PATH = '/login';

export const PORTAL_PAGES: readonly PortalPage[] = [
  { id: 'vms', path: '/portal/vms', label: 'Virtual machines', restricted: false },
  { id: 'vnets', path: '/portal/vnets', label: 'Virtual networks', restricted: false },
  { id: 'bastions', path: '/portal/bastions', label: 'Bastions', restricted: false },
  { id: 'vaults', path: '/portal/vaults', label: 'Key vaults', restricted: false },
  { id: 'iam', path: '/portal/iam', label: 'Access control (IAM)', permission: 'manageAccess', restricted: false },
  { id: 'users', path: '/portal/users', label: 'Users', permission: 'manageIdentity', restricted: true },
  { id: 'audit', path: '/portal/audit', label: 'Audit log', permission: 'readAudit', restricted: true },
  { id: 'sessions', path: '/portal/sessions', label: 'Sessions', permission: 'viewSessions', restricted: true },
  { id: 'recordings', path: '/portal/recordings', label: 'Recordings', permission: 'readRecordings', restricted: true },
  { id: 'account', path: '/portal/account', label: 'My account', restricted: false, menuOnly: true },
];

/** My account: change my password, my API tokens (the user menu's "Change password" and "API tokens"). */
export const ACCOUNT_PATH = '/portal/account';

export const DEFAULT_PORTAL_PATH = '/portal/vms';

export type VmTab = 'overview' | 'iam';

/** `/portal/vms/<resourceGroup>/<name>[/iam]`: one virtual machine. */
export interface VmRoute {
  resourceGroup: string;
  name: string;
  tab: VmTab;
}

/** `/portal/recordings/<sessionId>` (play) and `/portal/recordings/<sessionId>/live` (watch a live session). */
export interface RecordingRoute {
  sessionId: string;
  view: 'play' | 'live';
}

export type AppRoute =
  | { kind: 'login' }
  | { kind: 'redirect'; to: string }
  /**
   * `page` is undefined for an unknown portal path (shown as "Page not found" inside the portal). `vm` is
   * set for a VM's own page (under the `vms` page); `scope` for `/portal/iam?scope=<id>`.
   */
  | { kind: 'portal'; page: PortalPage | undefined; vm?: VmRoute; scope?: string; recording?: RecordingRoute }
  /** `/session/<id>`: a browser SSH/RDP session filling the tab (its request is handed over in memory). */
  | { kind: 'session'; id: string };

export type PortalRoute = Extract<AppRoute, { kind: 'portal' }>;

const trimSlash = (path: string): string => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

const pageById = (id: PortalPageId): PortalPage => PORTAL_PAGES.find((p) => p.id === id)!;

/** Parses `/portal/vms/<rg>/<name>` and `/portal/vms/<rg>/<name>/iam` (names keep their casing). */
export function parseVmPath(pathname: string): VmRoute | undefined {
  const segments = trimSlash(pathname).split('/').slice(1);
  if (segments.length < 4 || segments.length > 5) return undefined;
  const [portal, vms, rg, name, tab] = segments;
  if (portal?.toLowerCase() !== 'portal' || vms?.toLowerCase() !== 'vms') return undefined;
  if (tab !== undefined && tab.toLowerCase() !== 'iam') return undefined;
  const resourceGroup = decode(rg ?? '');
  const vmName = decode(name ?? '');
  if (!resourceGroup || !vmName) return undefined;
  return { resourceGroup, name: vmName, tab: tab === undefined ? 'overview' : 'iam' };
}

export function resolveRoute(pathname: string, search = ''): AppRoute {
  const path = trimSlash(pathname).toLowerCase();
  if (path === LOGIN_PATH) return { kind: 'login' };
  if (path === '/' || path === '/portal' || path === '/index.html') return { kind: 'redirect', to: DEFAULT_PORTAL_PATH };
  const session = /^\/session\/([A-Za-z0-9_-]{16,64})\/?$/.exec(pathname);
  if (session) return { kind: 'session', id: session[1]! };
  const vm = parseVmPath(pathname);
  if (vm) return { kind: 'portal', page: pageById('vms'), vm };
  const recording = /^\/portal\/recordings\/([0-9A-Fa-f-]{36})(\/live)?\/?$/i.exec(pathname);
  if (recording) return { kind: 'portal', page: pageById('recordings'), recording: { sessionId: recording[1]!.toLowerCase(), view: recording[2] ? 'live' : 'play' } };
  const page = PORTAL_PAGES.find((p) => p.path === path);
  if (page?.id === 'iam') {
    const scope = new URLSearchParams(search).get('scope')?.trim();
    return scope ? { kind: 'portal', page, scope } : { kind: 'portal', page };
  }
  return { kind: 'portal', page };
}

/** The VM page's address (`tab` 'iam' opens its Access control (IAM) tab). */
export const vmPath = (resourceGroup: string, name: string, tab: VmTab = 'overview'): string =>
  `/portal/vms/${encodeURIComponent(resourceGroup)}/${encodeURIComponent(name)}${tab === 'iam' ? '/iam' : ''}`;

/** A recording's player (`play`) or the live view of a running SSH session (`live`). */
export const recordingPath = (sessionId: string, view: RecordingRoute['view'] = 'play'): string =>
  `/portal/recordings/${encodeURIComponent(sessionId)}${view === 'live' ? '/live' : ''}`;

/** The Access control (IAM) page for `scope`; without one it opens at the subscription. */
export const iamPath = (scope?: string): string => (scope ? `/portal/iam?scope=${encodeURIComponent(scope)}` : '/portal/iam');

type PermissionHolder = Pick<User, 'isAdmin' | 'permissions'>;

/**
 * Whether `user` has the page's permission. Access control shows for `manageAccess` or admins; Users
 * and Audit log follow `manageIdentity` / `readAudit`, falling back to `isAdmin` for older servers.
 */
export function canSeePage(page: PortalPage, user: PermissionHolder): boolean {
  if (!page.permission) return true;
  if (page.permission === 'manageAccess') return Boolean(user.permissions?.manageAccess) || user.isAdmin;
  return user.permissions?.[page.permission] ?? user.isAdmin;
}

/** Pages a user may see in the nav. */
export const visiblePages = (user: PermissionHolder): PortalPage[] => PORTAL_PAGES.filter((p) => !p.menuOnly && canSeePage(p, user));

const SAFE_PATH = /^\/portal(\/[A-Za-z0-9_\-.%]+)*\/?$/;
const SAFE_QUERY = /^[A-Za-z0-9_\-.%=&]*$/;

/** Only same-app portal paths (with an optional plain query) are followed after sign-in: no open redirects. */
export function isSafeNextPath(path: string): boolean {
  const queryAt = path.indexOf('?');
  const pathname = queryAt < 0 ? path : path.slice(0, queryAt);
  const query = queryAt < 0 ? '' : path.slice(queryAt + 1);
  if (!SAFE_PATH.test(pathname) || !SAFE_QUERY.test(query)) return false;
  // Browsers treat %2e%2e like '..': refuse dot segments however they are spelt.
  return pathname.split('/').every((segment) => {
    const decoded = decode(segment);
    return decoded !== undefined && decoded !== '.' && decoded !== '..';
  });
}

/** The sign-in URL that returns to `from` (path and query) afterwards. */
export function loginPathFor(from: string): string {
  return from === DEFAULT_PORTAL_PATH || !isSafeNextPath(from) ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(from)}`;
}

/** Where to go after sign-in, from the login URL's query. */
export function nextPathAfterLogin(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next !== null && isSafeNextPath(next) ? next : DEFAULT_PORTAL_PATH;
}
