import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';

/**
 * Design 0007 through inject(): CLI tokens (issue, bearer use without CSRF, list, revoke), the tunnel
 * route's refusals before any upgrade, the bastion's Standard-tier switches in the ARM PUT, shareable
 * links (actions, limit, visitor API, revocation). Real sockets: test/integration/native-clients.test.ts.
 */
const SUB = 'sub-native';
const PASSWORD = 'Native-Unit-Pass-1';
const rg = `/subscriptions/${SUB}/resourceGroups/rg-n`;
const vmId = `${rg}/providers/Microsoft.Compute/virtualMachines/vm-n`;
const bastionId = `${rg}/providers/Microsoft.Network/bastionHosts/bas-n`;
const vnetId = `${rg}/providers/Microsoft.Network/virtualNetworks/vnet-n`;

let b: TestBastion;
let admin: Session;
let reader: Session;

beforeAll(async () => {
  b = await createTestBastion({
    users: [
      { username: 'reader', password: PASSWORD },
      { username: 'nobody', password: PASSWORD },
    ],
    roleAssignments: [{ assignee: 'reader', role: 'Reader', scope: `/subscriptions/${SUB}` }],
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-n' }],
      virtualNetworks: [{ name: 'vnet-n', resourceGroup: 'rg-n', addressSpace: ['10.72.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.72.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.72.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-n', resourceGroup: 'rg-n', osType: 'linux', nics: [{ name: 'nic-n', virtualNetwork: 'vnet-n', subnet: 'snet-vms', privateIpAddress: '10.72.1.4' }] }],
      bastionHosts: [{ name: 'bas-n', resourceGroup: 'rg-n', virtualNetwork: 'vnet-n', enableShareableLink: true, onPremisesRanges: ['192.168.50.0/24'] }],
    },
  });
  admin = await signInAsReadyAdmin(b);
  reader = await signIn(b.app, 'reader', PASSWORD);
});

afterAll(async () => {
  await b?.dispose();
});

const issue = (username: string, password = PASSWORD, extra: object = {}) => b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username, password, ...extra } });
const bearer = (token: string, opts: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: object }) => b.app.inject({ ...opts, headers: { authorization: `Bearer ${token}` } });

describe('CLI API tokens', () => {
  it('issues a token for a username and password, usable as Bearer without a cookie or CSRF token', async () => {
    const res = await issue('reader', PASSWORD, { name: 'laptop', days: 7 });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { token: string; id: string; expiresAt: string; user: { username: string } };
    expect(body.token).toMatch(/^bst_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(body.user.username).toBe('reader');
    const subs = await bearer(body.token, { url: '/api/subscriptions' });
    expect(subs.statusCode).toBe(200);
    const list = await bearer(body.token, { url: '/api/auth/tokens' });
    expect(list.json()).toMatchObject({ current: body.id, value: [{ id: body.id, name: 'laptop' }] });
    expect(list.body).not.toContain(body.token);
    // A state-changing request with the bearer needs no CSRF token (a browser never sends one by itself).
    const revoke = await bearer(body.token, { method: 'DELETE', url: '/api/auth/tokens/current' });
    expect(revoke.statusCode).toBe(204);
    const after = await bearer(body.token, { url: '/api/subscriptions' });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'BST_ERR_UNAUTHENTICATED', message: expect.stringContaining('bastion login') } });
  });

  it('stores only a hash of the token', async () => {
    const { token } = (await issue('reader')).json() as { token: string };
    const rows = await b.store.db.selectFrom('cli_tokens' as never).selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
  });

  it('refuses a wrong password (audited like a sign-in) and a made-up bearer', async () => {
    expect((await issue('reader', 'wrong-password')).statusCode).toBe(401);
    expect((await bearer('bst_made-up', { url: '/api/subscriptions' })).statusCode).toBe(401);
    // Public routes ignore a bad bearer rather than failing.
    expect((await b.app.inject({ method: 'GET', url: '/api/share/x', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(410);
  });

  it('a password change revokes the CLI tokens', async () => {
    const { token } = (await issue('nobody')).json() as { token: string };
    const session = await signIn(b.app, 'nobody', PASSWORD);
    const changed = await as(b.app, session, { method: 'POST', url: '/api/auth/password', payload: { currentPassword: PASSWORD, newPassword: 'Native-Unit-Pass-2' } });
    expect(changed.statusCode).toBe(204);
    expect((await bearer(token, { url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it("a user lists and revokes only their own tokens", async () => {
    const mine = (await issue('reader')).json() as { token: string; id: string };
    const other = await as(b.app, admin, { method: 'DELETE', url: `/api/auth/tokens/${mine.id}` });
    expect(other.statusCode).toBe(404);
    expect((await bearer(mine.token, { url: '/api/subscriptions' })).statusCode).toBe(200);
  });
});

describe('tunnel route (refused before the upgrade)', () => {
  const tunnel = (token: string, query: string) => bearer(token, { url: `/api/tunnel?${query}` });
  let token: string;
  beforeAll(async () => {
    token = ((await issue('reader')).json() as { token: string }).token;
  });

  it('needs exactly one target form and a port', async () => {
    expect((await tunnel(token, 'port=22')).statusCode).toBe(400);
    expect((await tunnel(token, `vm=${encodeURIComponent(vmId)}&ip=10.72.1.9&port=22`)).statusCode).toBe(400);
    expect((await tunnel(token, `vm=${encodeURIComponent(vmId)}`)).statusCode).toBe(400);
  });

  it('answers 404 for an unknown VM and 403 for IP-based connection without connectByIp', async () => {
    expect((await tunnel(token, `vm=${encodeURIComponent(`${rg}/providers/Microsoft.Compute/virtualMachines/none`)}&port=22`)).statusCode).toBe(404);
    const ip = await tunnel(token, `bastion=${encodeURIComponent(bastionId)}&ip=10.72.1.9&port=22`);
    expect(ip.statusCode).toBe(403);
    expect(ip.body).toContain('connectByIp');
  });

  it('refuses a browser (cookie session) from another origin', async () => {
    const res = await as(b.app, reader, { method: 'GET', url: `/api/tunnel?vm=${encodeURIComponent(vmId)}&port=22`, headers: { origin: 'https://evil.example' } });
    expect(res.statusCode).toBe(403);
  });
});

describe('IP-based connection switch and ranges (ARM PUT)', () => {
  const put = (properties: object) => as(b.app, admin, { method: 'PUT', url: `/api${bastionId}`, payload: { properties: { virtualNetwork: { id: vnetId }, ...properties } } });

  it('keeps the switches in the bastion properties; PUT without them turns them off', async () => {
    const on = await put({ enableIpConnect: true, enableShareableLink: true, onPremisesRanges: ['192.168.50.0/24'] });
    expect(on.statusCode, on.body).toBe(200);
    expect((on.json() as { properties: object }).properties).toMatchObject({ enableIpConnect: true, enableShareableLink: true, onPremisesRanges: ['192.168.50.0/24'] });
    const off = await put({});
    expect((off.json() as { properties: object }).properties).toMatchObject({ enableIpConnect: false, enableShareableLink: false, onPremisesRanges: [] });
    expect((await put({ onPremisesRanges: ['300.1.1.0/24'] })).statusCode).toBe(400);
    expect((await put({ enableIpConnect: true, enableShareableLink: true, onPremisesRanges: ['192.168.50.0/24'] })).statusCode).toBe(200);
  });

  it('an admin (Owner: connectByIp) passes the access check; the policy then refuses loopback before any upgrade', async () => {
    const { token } = (await b.app.inject({ method: 'POST', url: '/api/auth/tokens', payload: { username: 'admin', password: 'Admin-Test-Pass-1' } })).json() as { token: string };
    const res = await bearer(token, { url: `/api/tunnel?bastion=${encodeURIComponent(bastionId)}&ip=127.0.0.1&port=22` });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('loopback');
  });
});

describe('shareable links', () => {
  const action = (who: Session, verb: string, payload: object = {}) => as(b.app, who, { method: 'POST', url: `/api${bastionId}/${verb}ShareableLinks`, payload });
  const vms = { vms: [{ vm: { id: vmId } }] };

  it('Reader may neither create, list nor delete links (each is its own action)', async () => {
    for (const verb of ['create', 'get', 'delete']) {
      const res = await action(reader, verb, verb === 'get' ? {} : vms);
      expect(res.statusCode, verb).toBe(403);
      expect(res.body).toContain(`${verb}ShareableLinks/action`);
    }
  });

  it('creates a link (URL shown once), lists it without the URL, the visitor reads it, delete revokes it', async () => {
    const created = await action(admin, 'create', { ...vms, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(created.statusCode, created.body).toBe(200);
    const link = (created.json() as { value: Array<{ id: string; bsl: string }> }).value[0]!;
    const secret = link.bsl.split('/share/')[1]!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const listed = await action(admin, 'get');
    expect(listed.json()).toMatchObject({ value: [{ id: link.id, vm: { id: vmId }, bsl: null, createdBy: 'admin' }] });
    expect(listed.body).not.toContain(secret);
    const visit = await b.app.inject({ method: 'GET', url: `/api/share/${secret}` });
    expect(visit.statusCode).toBe(200);
    expect(visit.json()).toMatchObject({ vm: { name: 'vm-n', osType: 'linux' }, bastion: { name: 'bas-n' }, mfaRequired: false });
    const ticket = await b.app.inject({ method: 'POST', url: `/api/share/${secret}/ssh`, payload: { username: 'u', auth: { type: 'password', password: 'p' } } });
    expect(ticket.statusCode, ticket.body).toBe(201);
    expect(ticket.json()).toMatchObject({ url: expect.stringMatching(new RegExp(`^/api/share/connect\\?link=${link.id}&ticket=`)) });
    const deleted = await action(admin, 'delete', { ids: [link.id] });
    expect(deleted.json()).toMatchObject({ value: [{ id: link.id }] });
    const gone = await b.app.inject({ method: 'GET', url: `/api/share/${secret}` });
    expect(gone.statusCode).toBe(410);
    expect(gone.json()).toMatchObject({ error: { code: 'BST_ERR_LINK_INVALID', message: expect.stringContaining('revoked or has expired') } });
  });

  it('refuses an expiry in the past and links when the bastion has the feature off', async () => {
    expect((await action(admin, 'create', { ...vms, expiresAt: '2020-01-01T00:00:00Z' })).statusCode).toBe(400);
    await as(b.app, admin, { method: 'PUT', url: `/api${bastionId}`, payload: { properties: { virtualNetwork: { id: vnetId } } } });
    const off = await action(admin, 'create', vms);
    expect(off.statusCode).toBe(409);
    expect(off.body).toContain('enableShareableLink');
    await as(b.app, admin, { method: 'PUT', url: `/api${bastionId}`, payload: { properties: { virtualNetwork: { id: vnetId }, enableShareableLink: true } } });
  });

  it('a link stops working when the feature is turned off, and at most 500 links exist per bastion', async () => {
    const made = await action(admin, 'create', { vms: Array.from({ length: 500 }, () => ({ vm: { id: vmId } })) });
    expect(made.statusCode, made.body.slice(0, 200)).toBe(200);
    const over = await action(admin, 'create', vms);
    expect(over.statusCode).toBe(409);
    expect(over.body).toContain('at most 500');
    const secret = (made.json() as { value: Array<{ bsl: string }> }).value[0]!.bsl.split('/share/')[1]!;
    await as(b.app, admin, { method: 'PUT', url: `/api${bastionId}`, payload: { properties: { virtualNetwork: { id: vnetId } } } });
    expect((await b.app.inject({ method: 'GET', url: `/api/share/${secret}` })).statusCode).toBe(410);
    expect((await action(admin, 'delete', vms)).json()).toMatchObject({ value: expect.arrayContaining([expect.objectContaining({ vm: { id: vmId } })]) });
    expect((await action(admin, 'get')).json()).toEqual({ value: [] });
  });
});
