import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_PATH, iamPath, isSafeNextPath, loginPathFor, nextPathAfterLogin, parseVmPath, resolveRoute, visiblePages, vmPath } from './routes.js';

describe('resolveRoute', () => {
  it('maps portal deep links to their pages', () => {
    expect(resolveRoute('/portal/vms')).toMatchObject({ kind: 'portal', page: { id: 'vms', label: 'Virtual machines' } });
    expect(resolveRoute('/portal/audit/')).toMatchObject({ kind: 'portal', page: { id: 'audit' } });
    expect(resolveRoute('/portal/sessions')).toMatchObject({ kind: 'portal', page: { id: 'sessions', label: 'Sessions' } });
  });

  it('redirects the roots to the default page', () => {
    for (const path of ['/', '/portal', '/portal/']) expect(resolveRoute(path)).toEqual({ kind: 'redirect', to: DEFAULT_PORTAL_PATH });
  });

  it('knows the sign-in page and marks unknown paths as not found', () => {
    expect(resolveRoute('/login')).toEqual({ kind: 'login' });
    expect(resolveRoute('/portal/nope')).toEqual({ kind: 'portal', page: undefined });
  });
});

describe('session pages', () => {
  it('maps /session/<id> to a session, and nothing else under /session', () => {
    expect(resolveRoute('/session/abcdefghijklmnopqrstuvwx')).toEqual({ kind: 'session', id: 'abcdefghijklmnopqrstuvwx' });
    expect(resolveRoute('/session/short').kind).toBe('portal');
    expect(resolveRoute('/session/abcdefghijklmnopqrstuvwx/extra').kind).toBe('portal');
  });
});

describe('VM pages', () => {
  const VM_ID_PARTS = { resourceGroup: 'RG-Testbed', name: 'vm.web01' };

  it('maps /portal/vms/<rg>/<name> to the VM page under Virtual machines, keeping the names as written', () => {
    expect(resolveRoute('/portal/vms/RG-Testbed/vm.web01')).toEqual({ kind: 'portal', page: expect.objectContaining({ id: 'vms' }), vm: { ...VM_ID_PARTS, tab: 'overview' } });
    expect(resolveRoute('/Portal/VMs/RG-Testbed/vm.web01/IAM/')).toMatchObject({ vm: { ...VM_ID_PARTS, tab: 'iam' } });
  });

  it('round-trips vmPath, encoding what needs it', () => {
    expect(vmPath('rg', 'vm1')).toBe('/portal/vms/rg/vm1');
    expect(vmPath('rg', 'vm1', 'iam')).toBe('/portal/vms/rg/vm1/iam');
    expect(parseVmPath(vmPath('r g', 'a/b', 'iam'))).toEqual({ resourceGroup: 'r g', name: 'a/b', tab: 'iam' });
  });

  it('leaves other shapes alone', () => {
    for (const path of ['/portal/vms/rg', '/portal/vms/rg/vm/other', '/portal/vms/rg/vm/iam/x', '/portal/vnets/rg/vnet', '/portal/vms/rg/%E0%A4%A'])
      expect(parseVmPath(path)).toBeUndefined();
    expect(resolveRoute('/portal/vms/rg/vm/other')).toEqual({ kind: 'portal', page: undefined });
  });
});

describe('Access control (IAM) page', () => {
  const NIC = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/web01-nic';

  it('reads the scope from the query', () => {
    expect(iamPath(NIC)).toBe(`/portal/iam?scope=${encodeURIComponent(NIC)}`);
    const url = new URL(iamPath(NIC), 'https://x');
    expect(resolveRoute(url.pathname, url.search)).toEqual({ kind: 'portal', page: expect.objectContaining({ id: 'iam' }), scope: NIC });
  });

  it('has no scope without one (the page then uses the subscription)', () => {
    expect(iamPath()).toBe('/portal/iam');
    expect(resolveRoute('/portal/iam', '?scope=')).toEqual({ kind: 'portal', page: expect.objectContaining({ id: 'iam' }) });
  });
});

describe('visiblePages', () => {
  const labels = (user: Parameters<typeof visiblePages>[0]) => visiblePages(user).map((p) => p.label);
  const ALL = ['Virtual machines', 'Virtual networks', 'Bastions', 'Key vaults', 'Access control (IAM)', 'Users', 'Audit log', 'Sessions', 'Recordings'];

  it('falls back to isAdmin when the server sends no permissions', () => {
    // Key vaults list only what the server lets each user read; My account is in the user menu, not here.
    expect(labels({ isAdmin: false })).toEqual(['Virtual machines', 'Virtual networks', 'Bastions', 'Key vaults']);
    expect(labels({ isAdmin: true })).toEqual(ALL);
  });

  it('follows user.permissions', () => {
    expect(labels({ isAdmin: false, permissions: { manageAccess: true, manageIdentity: false, readAudit: true, viewSessions: true } })).toEqual([
      'Virtual machines',
      'Virtual networks',
      'Bastions',
      'Key vaults',
      'Access control (IAM)',
      'Audit log',
      'Sessions',
    ]);
    // Identity and audit follow the permissions even for admins; access control shows for admins anyway.
    expect(labels({ isAdmin: true, permissions: { manageAccess: false, manageIdentity: true, readAudit: false, viewSessions: false, readRecordings: false } })).toEqual([
      'Virtual machines',
      'Virtual networks',
      'Bastions',
      'Key vaults',
      'Access control (IAM)',
      'Users',
    ]);
  });
});

describe('return path after sign-in', () => {
  it('round-trips a portal deep link', () => {
    const login = loginPathFor('/portal/users');
    expect(login).toBe('/login?next=%2Fportal%2Fusers');
    expect(nextPathAfterLogin(login.slice(login.indexOf('?')))).toBe('/portal/users');
  });

  it('round-trips VM pages and IAM scopes', () => {
    for (const from of ['/portal/vms/rg-e2e/vm.web01/iam', iamPath('/subscriptions/s1/resourceGroups/rg')]) {
      const login = loginPathFor(from);
      expect(login).not.toBe('/login');
      expect(nextPathAfterLogin(login.slice(login.indexOf('?')))).toBe(from);
    }
  });

  it('refuses dot segments, however they are spelt', () => {
    for (const path of ['/portal/../api/users', '/portal/%2e%2e/api', '/portal/vms/.', '/portal/iam?next=<script>', '/portal/%zz'])
      expect(isSafeNextPath(path)).toBe(false);
  });

  it('refuses anything that is not a portal path', () => {
    for (const next of ['https://evil.example', '//evil.example/portal', '/portal//evil', '/api/users', 'javascript:alert(1)'])
      expect(nextPathAfterLogin(`?next=${encodeURIComponent(next)}`)).toBe(DEFAULT_PORTAL_PATH);
    expect(loginPathFor('/portal/vms')).toBe('/login');
  });
});
