import { afterEach, describe, expect, it } from 'vitest';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Issue #14: the portal administers users without the CLI. An administrator resets a password to a
 * one-time password (shown once, to be replaced at the next sign-in) and disables or enables a user;
 * each change is audited, a disabled user is told so at sign-in and their sign-ins end, and disabling
 * the last Owner at "/" is refused like deleting them.
 */
const PASSWORD = 'Bob-Admin-Pass-1';
let b: TestBastion | undefined;
afterEach(async () => {
  await b?.dispose();
  b = undefined;
});

async function start(): Promise<{ bastion: TestBastion; admin: Session }> {
  b = await createTestBastion({ users: [{ username: 'bob', password: PASSWORD }] });
  return { bastion: b, admin: await signInAsReadyAdmin(b) };
}
const login = (bastion: TestBastion, username: string, password: string) => bastion.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
const me = (bastion: TestBastion, s: Session) => as(bastion.app, s, { method: 'GET', url: '/api/auth/me' });
const events = async (bastion: TestBastion, admin: Session, type: string) =>
  ((await as(bastion.app, admin, { method: 'GET', url: `/api/audit?type=${type}` })).json() as { value: Array<{ actor: string; target: string; message: string; details: unknown }> }).value;

describe('user administration', () => {
  it('resets a password to a one-time password that must be changed at the next sign-in', async () => {
    const { bastion, admin } = await start();
    const bobBefore = await signIn(bastion.app, 'bob', PASSWORD);

    const res = await as(bastion.app, admin, { method: 'POST', url: '/api/users/bob/resetPassword' });
    expect(res.statusCode, res.body).toBe(200);
    const { oneTimePassword, user } = res.json() as { oneTimePassword: string; user: { mustChangePassword: boolean } };
    expect(user.mustChangePassword).toBe(true);

    expect((await me(bastion, bobBefore)).statusCode).toBe(401); // the old sign-in ended
    expect((await login(bastion, 'bob', PASSWORD)).statusCode).toBe(401);
    const bob = await signIn(bastion.app, 'bob', oneTimePassword);
    expect((await as(bastion.app, bob, { method: 'GET', url: '/api/subscriptions' })).json()).toMatchObject({ error: { code: 'BST_ERR_PASSWORD_CHANGE_REQUIRED' } });

    const [event] = await events(bastion, admin, 'user.password.reset');
    expect(event).toMatchObject({ actor: 'admin', target: 'bob' });
    expect(JSON.stringify(event)).not.toContain(oneTimePassword);
  });

  it('a disabled user is told so at sign-in and signed out; enabled again, they sign in', async () => {
    const { bastion, admin } = await start();
    const bob = await signIn(bastion.app, 'bob', PASSWORD);

    // A live connection of bob's (the registry's view of it) and one of the admin's.
    const ended: string[] = [];
    const live = (sessionId: string, principalName: string) =>
      bastion.liveSessions.add({ sessionId, protocol: 'ssh', info: { principalName } as never, shutdown: async () => undefined, stats: () => undefined, terminate: async (reason, message) => void ended.push(`${sessionId} ${reason}: ${message}`) });
    live('s-bob', 'bob');
    live('s-admin', 'admin');

    const off = await as(bastion.app, admin, { method: 'PATCH', url: '/api/users/bob', payload: { disabled: true } });
    expect(ended).toEqual(['s-bob terminated: Your account was disabled by an administrator.']);
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toMatchObject({ username: 'bob', disabled: true });
    expect((await me(bastion, bob)).statusCode).toBe(401);
    const refused = await login(bastion, 'bob', PASSWORD);
    expect({ status: refused.statusCode, error: refused.json().error }).toMatchObject({ status: 403, error: { code: 'BST_ERR_ACCOUNT_DISABLED', message: 'This account is disabled. Ask an administrator to enable it.' } });
    // A wrong password learns nothing about the account.
    expect((await login(bastion, 'bob', `${PASSWORD}x`)).json()).toMatchObject({ error: { code: 'BST_ERR_LOGIN_FAILED' } });

    expect((await as(bastion.app, admin, { method: 'PATCH', url: '/api/users/bob', payload: { disabled: false } })).json()).toMatchObject({ disabled: false });
    expect((await login(bastion, 'bob', PASSWORD)).statusCode).toBe(200);
    expect((await events(bastion, admin, 'user.disabled')).map((e) => e.target)).toEqual(['bob']);
    expect((await events(bastion, admin, 'user.enabled')).map((e) => e.target)).toEqual(['bob']);
  });

  it('refuses disabling the last Owner at "/", and a user without the right gets 403', async () => {
    const { bastion, admin } = await start();
    const res = await as(bastion.app, admin, { method: 'PATCH', url: '/api/users/admin', payload: { disabled: true } });
    expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 409, code: 'BST_ERR_LAST_OWNER' });
    expect((await me(bastion, admin)).statusCode).toBe(200);

    const bob = await signIn(bastion.app, 'bob', PASSWORD);
    expect((await as(bastion.app, bob, { method: 'POST', url: '/api/users/admin/resetPassword' })).statusCode).toBe(403);
    expect((await as(bastion.app, bob, { method: 'PATCH', url: '/api/users/admin', payload: { disabled: true } })).statusCode).toBe(403);
  });
});
