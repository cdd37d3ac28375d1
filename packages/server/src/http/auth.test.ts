import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, as, createTestBastion, sessionCookieOf, signIn, type Session, type TestBastion } from './test-app.js';

/**
 * Sign-in, sessions, CSRF/Origin checks and who may do what, through app.inject(). Password hashing
 * costs ~100 ms, so the file signs in sparingly. Every scenario that counts failed sign-ins uses its own
 * client IP (`remoteAddress`): the limiter counts per username and per IP.
 *
 * The tests run in order: "first admin" turns the one-time password into ADMIN_PASSWORD and leaves
 * `admin` signed in for the tests after it.
 */
const DEMO = { username: 'demo', password: 'Demo-Pass-123' };
const VICTIM = { username: 'victim', password: 'Victim-Pass-123' };
const UA = 'auth-test-browser/1.0';
const SUB = 'sub-auth';

let b: TestBastion;
let admin: Session | undefined;
let demo: Session;

const errorOf = (res: LightMyRequestResponse) => (res.json() as { error: { code: string; message: string; statusCode: number } }).error;
const expectError = (res: LightMyRequestResponse, status: number, code: string, message?: string | RegExp): void => {
  expect({ status: res.statusCode, code: errorOf(res).code }, res.body).toEqual({ status, code });
  expect(errorOf(res).statusCode).toBe(status);
  if (typeof message === 'string') expect(errorOf(res).message).toBe(message);
  else if (message) expect(errorOf(res).message).toMatch(message);
};
const login = (username: string, password: string, remoteAddress: string) =>
  b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress, headers: { 'user-agent': UA } });
const adminSession = (): Session => {
  if (!admin) throw new Error('the "first admin" test did not leave an admin signed in');
  return admin;
};
const vmsUrl = () => `/api/subscriptions/${b.subscriptionId}/providers/Microsoft.Compute/virtualMachines`;
const rgUrl = (rg: string) => `/api/subscriptions/${b.subscriptionId}/resourceGroups/${rg}`;

beforeAll(async () => {
  b = await createTestBastion({
    // accountDelaySeconds: the account's first back-off delay is long enough not to pass during the test.
    security: { sessionTtlMinutes: 60, login: { maxFailures: 3, windowSeconds: 900, accountDelaySeconds: 600 } },
    users: [
      { ...DEMO, displayName: 'Demo User', groups: ['operators'] },
      { ...VICTIM, displayName: 'Rate-limited User' },
    ],
    // Without a role assignment a user sees nothing (RBAC): demo reads the subscription, nothing more.
    roleAssignments: [{ assignee: DEMO.username, role: 'Reader', scope: `/subscriptions/${SUB}` }],
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-auth' }],
      virtualNetworks: [{ name: 'vnet-auth', resourceGroup: 'rg-auth', addressSpace: ['10.50.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.50.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.50.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-auth', resourceGroup: 'rg-auth', osType: 'linux', nics: [{ name: 'vm-auth-nic', virtualNetwork: 'vnet-auth', subnet: 'snet-vms', privateIpAddress: '10.50.1.4' }] }],
    },
  });
  demo = await signIn(b.app, DEMO.username, DEMO.password, { remoteAddress: '10.1.0.1' });
});
afterAll(async () => {
  await b?.dispose();
});

describe('first admin', () => {
  it('signs in with the one-time password but must set a new one before anything else', async () => {
    const first = b.firstAdmin!;
    expect(first.username).toBe('admin');
    const res = await login(first.username, first.password, '10.2.0.1');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { user: { username: string; isAdmin: boolean; mustChangePassword: boolean }; csrfToken: string };
    expect(body.user).toMatchObject({ username: 'admin', isAdmin: true, mustChangePassword: true });
    const session: Session = { cookie: sessionCookieOf(res)!, csrfToken: body.csrfToken, username: 'admin' };

    // Everything but /api/auth/* is refused until the password is replaced.
    expectError(await as(b.app, session, { url: '/api/users' }), 403, 'BST_ERR_PASSWORD_CHANGE_REQUIRED', 'Set a new password before continuing.');
    expectError(await as(b.app, session, { url: vmsUrl() }), 403, 'BST_ERR_PASSWORD_CHANGE_REQUIRED');
    expectError(await as(b.app, session, { method: 'PUT', url: rgUrl('rg-early'), payload: {} }), 403, 'BST_ERR_PASSWORD_CHANGE_REQUIRED');
    expect((await as(b.app, session, { url: '/api/auth/me' })).statusCode).toBe(200);

    const change = (newPassword: string, headers: Record<string, string> = {}) =>
      as(b.app, session, { method: 'POST', url: '/api/auth/password', payload: { currentPassword: first.password, newPassword }, headers });
    // The password policy explains itself.
    expectError(await change('Short-1'), 400, 'BST_ERR_VALIDATION', 'The password must be at least 12 characters long.');
    expectError(await change('onlylettersandmore'), 400, 'BST_ERR_VALIDATION', 'The password must mix letters with digits or symbols.');
    expectError(await change(first.password), 400, 'BST_ERR_VALIDATION', /must differ/);
    // The change is state-changing: it needs the CSRF token like any other.
    expectError(await change(ADMIN_PASSWORD, { 'x-csrf-token': '' }), 403, 'BST_ERR_CSRF');
    expectError(await as(b.app, session, { method: 'POST', url: '/api/auth/password', payload: { currentPassword: 'not-the-password-1', newPassword: ADMIN_PASSWORD } }), 400, 'BST_ERR_VALIDATION', /current password/);

    expect((await change(ADMIN_PASSWORD)).statusCode).toBe(204);
    const users = await as(b.app, session, { url: '/api/users' });
    expect(users.statusCode).toBe(200);
    const names = (users.json() as { value: Array<{ username: string; mustChangePassword: boolean }> }).value;
    expect(names.map((u) => u.username).sort()).toEqual(['admin', 'demo', 'victim']);
    expect(names.find((u) => u.username === 'admin')?.mustChangePassword).toBe(false);
    admin = session;

    // The one-time password is spent.
    expectError(await login(first.username, first.password, '10.2.0.2'), 401, 'BST_ERR_LOGIN_FAILED');
  });
});

describe('sign-in', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict session cookie and returns the user and a CSRF token', async () => {
    const res = await login(DEMO.username, DEMO.password, '10.3.0.1');
    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^bastion_session=[A-Za-z0-9_-]{20,};/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    expect(setCookie).toMatch(/;\s*Max-Age=3600/i); // sessionTtlMinutes: 60
    const body = res.json() as { user: Record<string, unknown>; csrfToken: string };
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(body.user).toEqual({
      id: expect.any(String),
      username: 'demo',
      displayName: 'Demo User',
      isAdmin: false,
      mustChangePassword: false,
      disabled: false,
      groups: ['operators'],
      permissions: { manageAccess: false, manageIdentity: false, readAudit: false, viewSessions: false, readRecordings: false },
    });
    expect(JSON.stringify(body)).not.toMatch(/hash|scrypt/i);

    const me = await b.app.inject({ url: '/api/auth/me', cookies: { bastion_session: sessionCookieOf(res)! } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body);
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const wrong = await login(DEMO.username, 'Not-The-Password-1', '10.4.0.1');
    expectError(wrong, 401, 'BST_ERR_LOGIN_FAILED', 'Invalid username or password.');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const unknown = await login('nobody-here', 'Not-The-Password-1', '10.4.0.2');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
    // A username the directory could never hold is just as unknown.
    expect((await login('white space', 'x', '10.4.0.3')).json()).toEqual(wrong.json());
  });

  it(`rate-limits after security.login.maxFailures (3) failures: 429 with Retry-After, even for the right password`, async () => {
    const ip = '10.5.0.1';
    for (let i = 0; i < 3; i++) expectError(await login(VICTIM.username, `Wrong-Password-${i}`, ip), 401, 'BST_ERR_LOGIN_FAILED');
    const limited = await login(VICTIM.username, VICTIM.password, ip);
    expectError(limited, 429, 'BST_ERR_LOGIN_RATE_LIMITED', 'Too many failed sign-in attempts. Try again in 15 minutes.');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(850);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(limited.headers['set-cookie']).toBeUndefined();
    // Per account (design 0008): from an address it never signed in from, the account waits a growing
    // delay (here the first, 10 minutes), in any letter case.
    expectError(await login(VICTIM.username, VICTIM.password, '10.5.0.2'), 429, 'BST_ERR_LOGIN_RATE_LIMITED', 'Too many failed sign-in attempts. Try again in 10 minutes.');
    expectError(await login('VICTIM', VICTIM.password, '10.5.0.3'), 429, 'BST_ERR_LOGIN_RATE_LIMITED');
    // Not per IP at this count (design 0008: ipMaxFailures, 20 by default): another account from the same
    // client still signs in; three failures of one user do not lock out everyone behind that address.
    expect((await login(DEMO.username, DEMO.password, ip)).statusCode).toBe(200);
    // Other users from other clients are unaffected.
    expect((await login(DEMO.username, DEMO.password, '10.5.0.4')).statusCode).toBe(200);
  });

  it('records failures, successes and refusals in the audit log with the client IP and user agent', async () => {
    const audit = async (type: string) => {
      const res = await as(b.app, adminSession(), { url: `/api/audit?type=${type}&limit=50` });
      expect(res.statusCode).toBe(200);
      return (res.json() as { value: Array<Record<string, unknown>> }).value;
    };
    const failed = await audit('user.login.failed');
    expect(failed).toContainEqual(expect.objectContaining({ type: 'user.login.failed', outcome: 'failure', actor: 'victim', target: 'victim', clientIp: '10.5.0.1', userAgent: UA }));
    expect(failed).toContainEqual(expect.objectContaining({ actor: 'nobody-here', clientIp: '10.4.0.2', userAgent: UA }));
    expect(JSON.stringify(failed)).not.toContain('Wrong-Password');
    const ok = await audit('user.login');
    expect(ok).toContainEqual(expect.objectContaining({ type: 'user.login', outcome: 'success', actor: 'demo', clientIp: '10.3.0.1', userAgent: UA }));
    expect(ok.every((e) => e.type === 'user.login')).toBe(true);
    const limited = await audit('user.login.rate_limited');
    expect(limited).toContainEqual(expect.objectContaining({ type: 'user.login.rate_limited', outcome: 'denied', actor: 'victim', clientIp: '10.5.0.1', userAgent: UA }));
    expect(limited.filter((e) => e.actor === 'victim' || e.actor === 'VICTIM')).toHaveLength(3);
    expect(await audit('user.password.changed')).toContainEqual(expect.objectContaining({ actor: 'admin', outcome: 'success' }));
  });
});

describe('CSRF and Origin', () => {
  it('refuses state-changing requests with the cookie but without or with a wrong X-CSRF-Token', async () => {
    const a = adminSession();
    const cookies = { bastion_session: a.cookie };
    const attempts = [
      { method: 'POST' as const, url: '/api/groups', payload: { name: 'csrf-group' } },
      { method: 'PUT' as const, url: rgUrl('rg-csrf'), payload: {} },
      { method: 'DELETE' as const, url: '/api/users/victim' },
      { method: 'PUT' as const, url: '/api/groups/operators/members/victim' },
    ];
    for (const attempt of attempts) {
      expectError(await b.app.inject({ ...attempt, cookies }), 403, 'BST_ERR_CSRF', /CSRF token/);
      expectError(await b.app.inject({ ...attempt, cookies, headers: { 'x-csrf-token': 'wrong' } }), 403, 'BST_ERR_CSRF');
      // Another user's (valid) token does not fit this session.
      expectError(await b.app.inject({ ...attempt, cookies, headers: { 'x-csrf-token': demo.csrfToken } }), 403, 'BST_ERR_CSRF');
    }
    // Nothing happened.
    expect((await as(b.app, a, { url: '/api/users/victim' })).statusCode).toBe(200);
    expect((await as(b.app, a, { url: rgUrl('rg-csrf') })).statusCode).toBe(404);
    const groups = (await as(b.app, a, { url: '/api/groups' })).json() as { value: Array<{ name: string; members: string[] }> };
    expect(groups.value.map((g) => g.name)).toEqual(['operators']);
    expect(groups.value[0]!.members).toEqual(['demo']);
    // Reads need no token.
    expect((await b.app.inject({ url: '/api/groups', cookies })).statusCode).toBe(200);
  });

  it('refuses a foreign Origin (even with the right token) and accepts this origin', async () => {
    const a = adminSession();
    const evil = await as(b.app, a, { method: 'POST', url: '/api/groups', payload: { name: 'evil-group' }, headers: { origin: 'https://evil.example' } });
    expectError(evil, 403, 'BST_ERR_ORIGIN', /https:\/\/evil\.example/);
    // Plain http on the right host is another origin as well.
    expectError(await as(b.app, a, { method: 'POST', url: '/api/groups', payload: { name: 'evil-group' }, headers: { origin: 'http://localhost:80' } }), 403, 'BST_ERR_ORIGIN');
    expectError(await as(b.app, a, { method: 'POST', url: '/api/groups', payload: { name: 'evil-group' }, headers: { origin: 'null' } }), 403, 'BST_ERR_ORIGIN');
    // Sign-in from a foreign page is refused too (login CSRF), before any password work.
    expectError(await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: DEMO, headers: { origin: 'https://evil.example' }, remoteAddress: '10.6.0.1' }), 403, 'BST_ERR_ORIGIN');

    const same = await as(b.app, a, { method: 'POST', url: '/api/groups', payload: { name: 'same-origin-group' }, headers: { origin: 'https://localhost:80' } });
    expect(same.statusCode, same.body).toBe(201);
    // A Host the bastion does not answer to is refused before its origin could count as "this origin".
    const custom = await as(b.app, a, { method: 'DELETE', url: '/api/groups/same-origin-group', headers: { origin: 'https://bastion.test:8443', host: 'bastion.test:8443' } });
    expectError(custom, 421, 'BST_ERR_UNKNOWN_HOST');
    const viaIp = await as(b.app, a, { method: 'DELETE', url: '/api/groups/same-origin-group', headers: { origin: 'https://127.0.0.1:8443', host: '127.0.0.1:8443' } });
    expect(viaIp.statusCode, viaIp.body).toBe(204);
    // A GET with a foreign Origin is only a read (the browser's CORS rules keep the answer from the page).
    expect((await as(b.app, a, { url: '/api/auth/me', headers: { origin: 'https://evil.example' } })).statusCode).toBe(200);
  });
});

describe('who may do what', () => {
  it('answers 401 BST_ERR_UNAUTHENTICATED without a session', async () => {
    const requests = [
      { url: '/api/users' },
      { url: '/api/auth/me' },
      { url: '/api/audit' },
      { url: vmsUrl() },
      { url: `/api/subscriptions/${b.subscriptionId}/resourceGroups` },
      { url: '/api/subscriptions' },
      { method: 'PUT' as const, url: rgUrl('rg-anon'), payload: {} },
      { method: 'POST' as const, url: '/api/users', payload: { username: 'intruder', password: 'Intruder-Pass-1' } },
    ];
    for (const r of requests) {
      expectError(await b.app.inject(r), 401, 'BST_ERR_UNAUTHENTICATED', /Sign in/);
      expectError(await b.app.inject({ ...r, cookies: { bastion_session: 'forged-session-value' } }), 401, 'BST_ERR_UNAUTHENTICATED');
    }
  });

  it('lets a Reader of the subscription list VMs but not manage users, read the audit log or change the inventory', async () => {
    const vms = await as(b.app, demo, { url: vmsUrl() });
    expect(vms.statusCode).toBe(200);
    expect((vms.json() as { value: Array<{ name: string; properties: { privateIPAddress: string } }> }).value).toEqual([
      expect.objectContaining({ name: 'vm-auth', type: 'Microsoft.Compute/virtualMachines', properties: expect.objectContaining({ privateIPAddress: '10.50.1.4' }) }),
    ]);
    expect((await as(b.app, demo, { url: rgUrl('rg-auth') })).statusCode).toBe(200);

    expectError(await as(b.app, demo, { url: '/api/users' }), 403, 'BST_ERR_FORBIDDEN', 'You do not have permission for Bastion.Identity/users/read on the whole bastion (/).');
    expectError(await as(b.app, demo, { url: '/api/groups' }), 403, 'BST_ERR_FORBIDDEN');
    expectError(await as(b.app, demo, { url: '/api/audit' }), 403, 'BST_ERR_FORBIDDEN');
    expectError(await as(b.app, demo, { method: 'POST', url: '/api/users', payload: { username: 'sneaky', password: 'Sneaky-Pass-123' } }), 403, 'BST_ERR_FORBIDDEN');
    expectError(await as(b.app, demo, { method: 'PUT', url: '/api/groups/operators/members/victim' }), 403, 'BST_ERR_FORBIDDEN');
    expectError(await as(b.app, demo, { method: 'PUT', url: rgUrl('rg-demo'), payload: {} }), 403, 'BST_ERR_FORBIDDEN', 'You do not have permission for Microsoft.Resources/subscriptions/resourceGroups/write on resourceGroups/rg-demo.');
    expectError(await as(b.app, demo, { method: 'DELETE', url: `${rgUrl('rg-auth')}/providers/Microsoft.Compute/virtualMachines/vm-auth` }), 403, 'BST_ERR_FORBIDDEN');
    expectError(
      await as(b.app, demo, {
        method: 'PUT',
        url: `${rgUrl('rg-auth')}/providers/Microsoft.Network/virtualNetworks/vnet-auth/subnets/snet-new`,
        payload: { properties: { addressPrefix: '10.50.2.0/24' } },
      }),
      403,
      'BST_ERR_FORBIDDEN',
    );
    // Nothing changed.
    const a = adminSession();
    expect((await as(b.app, a, { url: '/api/users/sneaky' })).statusCode).toBe(404);
    expect((await as(b.app, a, { url: rgUrl('rg-demo') })).statusCode).toBe(404);
    expect((await as(b.app, a, { url: `${rgUrl('rg-auth')}/providers/Microsoft.Compute/virtualMachines/vm-auth` })).statusCode).toBe(200);
  });
});

describe('sign-out and password change', () => {
  it('sign-out needs the CSRF token, clears the cookie and ends the session', async () => {
    const s = await signIn(b.app, DEMO.username, DEMO.password, { remoteAddress: '10.7.0.1' });
    expectError(await b.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { bastion_session: s.cookie } }), 403, 'BST_ERR_CSRF');
    expect((await as(b.app, s, { url: '/api/auth/me' })).statusCode).toBe(200);

    const out = await as(b.app, s, { method: 'POST', url: '/api/auth/logout' });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^bastion_session=;.*(Expires=Thu, 01 Jan 1970|Max-Age=0)/i);
    expectError(await as(b.app, s, { url: '/api/auth/me' }), 401, 'BST_ERR_UNAUTHENTICATED');
    expectError(await as(b.app, s, { url: vmsUrl() }), 401, 'BST_ERR_UNAUTHENTICATED');
    // Signing out again (a stale cookie) is harmless.
    expect((await as(b.app, s, { method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    // The other demo session is untouched.
    expect((await as(b.app, demo, { url: '/api/auth/me' })).statusCode).toBe(200);
    const audit = (await as(b.app, adminSession(), { url: '/api/audit?type=user.logout' })).json() as { value: Array<{ actor: string }> };
    expect(audit.value.map((e) => e.actor)).toEqual(['demo']);
  });

  it('a password change keeps this session and signs the user out elsewhere', async () => {
    const other = await signIn(b.app, DEMO.username, DEMO.password, { remoteAddress: '10.8.0.1' });
    const res = await as(b.app, demo, { method: 'POST', url: '/api/auth/password', payload: { currentPassword: DEMO.password, newPassword: 'Demo-New-Pass-456' } });
    expect(res.statusCode, res.body).toBe(204);
    expect((await as(b.app, demo, { url: '/api/auth/me' })).statusCode).toBe(200);
    expectError(await as(b.app, other, { url: '/api/auth/me' }), 401, 'BST_ERR_UNAUTHENTICATED');
    expectError(await login(DEMO.username, DEMO.password, '10.8.0.2'), 401, 'BST_ERR_LOGIN_FAILED');
  });
});
