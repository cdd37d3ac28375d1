import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_PATH, loginPathFor, nextPathAfterLogin, resolveRoute, visiblePages } from './routes.js';

describe('resolveRoute', () => {
  it('maps portal deep links to their pages', () => {
    expect(resolveRoute('/portal/vms')).toMatchObject({ kind: 'portal', page: { id: 'vms', label: 'Virtual machines' } });
    expect(resolveRoute('/portal/audit/')).toMatchObject({ kind: 'portal', page: { id: 'audit' } });
  });

  it('redirects the roots to the default page', () => {
    for (const path of ['/', '/portal', '/portal/']) expect(resolveRoute(path)).toEqual({ kind: 'redirect', to: DEFAULT_PORTAL_PATH });
  });

  it('knows the sign-in page and marks unknown paths as not found', () => {
    expect(resolveRoute('/login')).toEqual({ kind: 'login' });
    expect(resolveRoute('/portal/nope')).toEqual({ kind: 'portal', page: undefined });
  });
});

describe('visiblePages', () => {
  it('hides admin pages from non-admins', () => {
    expect(visiblePages(false).map((p) => p.label)).toEqual(['Virtual machines', 'Virtual networks', 'Bastions']);
    expect(visiblePages(true).map((p) => p.label)).toEqual(['Virtual machines', 'Virtual networks', 'Bastions', 'Users', 'Audit log']);
  });
});

describe('return path after sign-in', () => {
  it('round-trips a portal deep link', () => {
    const login = loginPathFor('/portal/users');
    expect(login).toBe('/login?next=%2Fportal%2Fusers');
    expect(nextPathAfterLogin(login.slice(login.indexOf('?')))).toBe('/portal/users');
  });

  it('refuses anything that is not a portal path', () => {
    for (const next of ['https://evil.example', '//evil.example/portal', '/portal//evil', '/api/users', 'javascript:alert(1)'])
      expect(nextPathAfterLogin(`?next=${encodeURIComponent(next)}`)).toBe(DEFAULT_PORTAL_PATH);
    expect(loginPathFor('/portal/vms')).toBe('/login');
  });
});
