import ssh2 from 'ssh2';
import type { FastifyRequest, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshTicketTarget } from '../gateway/ssh/tickets.js';
import { GrantSet, KEY_VAULT_SECRETS_USER, OWNER, type RoleDefinition } from '../rbac/index.js';
import { AuditLog } from '../audit/audit-log.js';
import { ensureMasterKey, VaultStore } from '../vault/index.js';
import { as, createTestBastion, signIn, signInAsReadyAdmin, type Session, type TestBastion } from './test-app.js';
import { resolveTicketAuth } from './vault-access.js';

/**
 * Key vault through the HTTP API: CRUD, RBAC (getSecret is a data action that Owner's `*` does not
 * grant), Connect with a vault secret, and the one rule above all: no response and no audit event ever
 * carries a secret's value or passphrase. The tests run in order and build on each other.
 */
const SUB = 'sub-kv';
const PASSWORD = 'Vault-Test-Pass-123';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-kv`;
const KV = `${RG}/providers/Microsoft.KeyVault/vaults/kv-ops`;
const VM = `${RG}/providers/Microsoft.Compute/virtualMachines/vm-kv`;
const PLAIN = 'Vm-Secret-Pass-987';
const PASSPHRASE = 'key-passphrase-42';
// ssh2 1.17 writes about 1 in 130 encrypted Ed25519 keys that its own parser calls "Malformed OpenSSH private
// key" (measured: 19 of 2,500); take the first of a few that ssh2 reads back, so the fixture is never that one.
const KEY = ((): string => {
  for (let i = 0; i < 20; i++) {
    const key = ssh2.utils.generateKeyPairSync('ed25519', { passphrase: PASSPHRASE, cipher: 'aes256-ctr', rounds: 4 }).private;
    if (!(ssh2.utils.parseKey(key, PASSPHRASE) instanceof Error)) return key;
  }
  throw new Error('ssh2 could not read back any of 20 encrypted keys it generated');
})();
const CLEAR_KEY = ssh2.utils.generateKeyPairSync('ed25519').private;
const GET_SECRET = 'Microsoft.KeyVault/vaults/secrets/getSecret/action';

let b: TestBastion;
let admin: Session;
let reader: Session;
let owner: Session;
let op: Session;
/** Every response body seen, checked at the end for secret material. */
const bodies: string[] = [];

const call = async (s: Session, opts: InjectOptions): Promise<LightMyRequestResponse> => {
  const res = await as(b.app, s, opts);
  bodies.push(res.body);
  return res;
};
const errorOf = (res: LightMyRequestResponse) => (res.json() as { error: { code: string; message: string } }).error;
const putSecret = (s: Session, name: string, properties: Record<string, unknown>) => call(s, { method: 'PUT', url: `/api${KV}/secrets/${name}`, payload: { properties } });
const ticket = (s: Session, secretId: string) =>
  call(s, { method: 'POST', url: `/api${VM}/bastionSsh`, payload: { username: 'vmuser', auth: { type: 'vaultSecret', secretId } } });
const auditOf = async (type: string) => ((await call(admin, { url: `/api/audit?type=${type}&limit=1000` })).json() as { value: Array<Record<string, unknown>> }).value;

beforeAll(async () => {
  b = await createTestBastion({
    users: [
      { username: 'reader', password: PASSWORD },
      { username: 'owner', password: PASSWORD },
      { username: 'op', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'reader', role: 'Reader', scope: `/subscriptions/${SUB}` },
      { assignee: 'owner', role: 'Owner', scope: '/' },
      { assignee: 'op', role: 'Reader', scope: RG },
    ],
    inventory: {
      subscription: { id: SUB },
      resourceGroups: [{ name: 'rg-kv' }],
      virtualNetworks: [{ name: 'vnet-kv', resourceGroup: 'rg-kv', addressSpace: ['10.70.0.0/16'], subnets: [{ name: 'AzureBastionSubnet', addressPrefix: '10.70.0.0/26' }, { name: 'snet-vms', addressPrefix: '10.70.1.0/24' }] }],
      virtualMachines: [{ name: 'vm-kv', resourceGroup: 'rg-kv', osType: 'linux', nics: [{ name: 'nic-kv', virtualNetwork: 'vnet-kv', subnet: 'snet-vms', privateIpAddress: '10.70.1.4' }] }],
      bastionHosts: [{ name: 'bas-kv', resourceGroup: 'rg-kv', virtualNetwork: 'vnet-kv' }],
    },
  });
  admin = await signInAsReadyAdmin(b);
  reader = await signIn(b.app, 'reader', PASSWORD);
  owner = await signIn(b.app, 'owner', PASSWORD);
  op = await signIn(b.app, 'op', PASSWORD);
});
afterAll(async () => {
  await b?.dispose();
});

describe('vaults and secrets (the first admin: Owner + Key Vault Administrator)', () => {
  it('creates a vault (201, then 200 when it exists), reads and lists it', async () => {
    expect((await call(admin, { method: 'PUT', url: `/api${KV}`, payload: {} })).statusCode).toBe(201);
    const again = await call(admin, { method: 'PUT', url: `/api${KV}`, payload: { location: 'local' } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: KV, name: 'kv-ops', type: 'Microsoft.KeyVault/vaults', resourceGroup: 'rg-kv', properties: { createdBy: 'admin' } });
    const list = (await call(admin, { url: `/api/subscriptions/${SUB}/providers/Microsoft.KeyVault/vaults` })).json() as { value: Array<{ id: string }> };
    expect(list.value.map((v) => v.id)).toEqual([KV]);
    expect(((await call(admin, { url: `/api${RG}/providers/Microsoft.KeyVault/vaults` })).json() as { value: unknown[] }).value).toHaveLength(1);
    expect((await call(admin, { method: 'PUT', url: `/api/subscriptions/${SUB}/resourceGroups/rg-none/providers/Microsoft.KeyVault/vaults/kv-x`, payload: {} })).statusCode).toBe(404);
    expect(errorOf(await call(admin, { method: 'PUT', url: `/api${RG}/providers/Microsoft.KeyVault/vaults/k--v`, payload: {} })).code).toBe('BST_ERR_VALIDATION');
  });

  it('sets a password and an encrypted key and answers metadata only', async () => {
    const pw = await putSecret(admin, 'vm-password', { contentType: 'password', value: PLAIN });
    expect(pw.statusCode, pw.body).toBe(200);
    expect(pw.json()).toEqual({
      id: `${KV}/secrets/vm-password`,
      name: 'vm-password',
      type: 'Microsoft.KeyVault/vaults/secrets',
      properties: { contentType: 'password', hasPassphrase: false, keyMatches: true, attributes: { created: expect.any(String), updated: expect.any(String) }, createdBy: 'admin', updatedBy: 'admin' },
    });
    const key = await putSecret(admin, 'vm-key', { contentType: 'ssh-private-key', value: KEY, passphrase: PASSPHRASE });
    expect(key.statusCode, key.body).toBe(200);
    expect(key.json()).toMatchObject({ properties: { contentType: 'ssh-private-key', hasPassphrase: true } });
    expect((await putSecret(admin, 'clear-key', { contentType: 'ssh-private-key', value: CLEAR_KEY })).statusCode).toBe(200);
    const list = (await call(admin, { url: `/api${KV}/secrets` })).json() as { value: Array<{ name: string }> };
    expect(list.value.map((s) => s.name)).toEqual(['clear-key', 'vm-key', 'vm-password']);
    expect((await call(admin, { url: `/api${KV}/secrets/vm-key` })).json()).toMatchObject({ name: 'vm-key', properties: { hasPassphrase: true } });
  });

  it('refuses keys ssh2 cannot open, with a clear 400', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ contentType: 'ssh-private-key', value: KEY }, /encrypted: give its passphrase/],
      [{ contentType: 'ssh-private-key', value: KEY, passphrase: 'wrong-one' }, /passphrase does not open the private key/],
      [{ contentType: 'ssh-private-key', value: 'not a key' }, /not a private key/],
      [{ contentType: 'password', value: PLAIN, passphrase: 'x' }, /passphrase applies only/],
      [{ contentType: 'certificate', value: PLAIN }, /Content type must be one of/],
      [{ contentType: 'password', value: PLAIN, extra: 1 }, /extra/],
    ];
    for (const [properties, message] of cases) {
      const res = await putSecret(admin, 'bad', properties);
      expect({ status: res.statusCode, code: errorOf(res).code }, res.body).toEqual({ status: 400, code: 'BST_ERR_VALIDATION' });
      expect(errorOf(res).message).toMatch(message);
    }
    expect((await call(admin, { url: `/api${KV}/secrets/bad` })).statusCode).toBe(404);
  });
});

describe('access control', () => {
  it('Reader sees vaults and secret metadata but cannot write, delete or use them', async () => {
    expect(((await call(reader, { url: `/api${KV}/secrets` })).json() as { value: unknown[] }).value).toHaveLength(3);
    expect((await call(reader, { url: `/api${KV}/secrets/vm-password` })).statusCode).toBe(200);
    for (const res of [await putSecret(reader, 'vm-password', { contentType: 'password', value: 'x' }), await call(reader, { method: 'DELETE', url: `/api${KV}/secrets/vm-password` }), await call(reader, { method: 'DELETE', url: `/api${KV}` })])
      expect(errorOf(res).code).toBe('BST_ERR_FORBIDDEN');
  });

  it("Owner's * manages vaults but does not read secret values: Connect needs getSecret (403 naming it, audited)", async () => {
    expect((await putSecret(owner, 'owner-set', { contentType: 'password', value: PLAIN })).statusCode).toBe(200);
    const res = await ticket(owner, `${KV}/secrets/vm-password`);
    expect({ status: res.statusCode, code: errorOf(res).code }).toEqual({ status: 403, code: 'BST_ERR_FORBIDDEN' });
    expect(errorOf(res).message).toContain(GET_SECRET);
    expect(await auditOf('access.denied')).toContainEqual(expect.objectContaining({ actor: 'owner', target: `${KV}/secrets/vm-password`, details: expect.objectContaining({ action: GET_SECRET }) }));
  });

  it('Key Vault Secrets User on one secret lets a VM reader connect with that secret only', async () => {
    expect(errorOf(await ticket(op, `${KV}/secrets/vm-password`)).message).toContain(GET_SECRET);
    const granted = await call(admin, { method: 'POST', url: '/api/roleAssignments', payload: { assignee: 'op', role: 'Key Vault Secrets User', scope: `${KV}/secrets/vm-password` } });
    expect(granted.statusCode, granted.body).toBe(201);
    const ok = await ticket(op, `${KV.toUpperCase().replace('KV-OPS', 'kv-ops')}/secrets/vm-password`);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ ticket: expect.any(String), url: expect.stringContaining('/api/ssh/connect?ticket=') });
    expect(errorOf(await ticket(op, `${KV}/secrets/vm-key`)).code).toBe('BST_ERR_FORBIDDEN');
    expect(((await call(op, { url: `/api${KV}/secrets` })).json() as { value: Array<{ name: string }> }).value.map((s) => s.name)).toEqual(expect.arrayContaining(['vm-password']));
  });

  it('the first admin connects with any secret; a missing or malformed one is 404 / 400', async () => {
    expect((await ticket(admin, `${KV}/secrets/vm-key`)).statusCode).toBe(201);
    expect(errorOf(await ticket(admin, `${KV}/secrets/nope`)).code).toBe('BST_ERR_NOT_FOUND');
    expect(errorOf(await ticket(admin, `${KV}/nope`)).code).toBe('BST_ERR_VALIDATION');
  });
});

describe('redemption: the reference becomes credentials only server-side', () => {
  const fakeRequest = (grants: GrantSet): FastifyRequest =>
    ({ user: { id: 'u', username: 'op' }, ip: '127.0.0.1', headers: {}, grants: async () => grants, log: { error: () => undefined } }) as unknown as FastifyRequest;
  const grantsOf = (role: RoleDefinition): GrantSet =>
    new GrantSet([{ role, scopeKey: '/', assignment: { id: 'a', principalType: 'user', principalId: 'u', roleDefinitionId: role.id, scope: '/', createdAt: '', createdBy: null } }]);
  const target = (secret: string): SshTicketTarget => ({ userId: 'u', vmId: VM, host: '10.70.1.4', port: 22, username: 'vmuser', auth: { type: 'vaultSecret', secretId: `${KV}/secrets/${secret}` } });

  it('decrypts password and key secrets for a Secrets User, refuses Owner (forbidden) and a deleted secret', async () => {
    const deps = { vault: new VaultStore(b.store.db, ensureMasterKey(undefined, b.dataDir).masterKey), audit: new AuditLog(b.store.db) };
    const user = fakeRequest(grantsOf(KEY_VAULT_SECRETS_USER));
    expect(await resolveTicketAuth(deps, user, target('vm-password'))).toEqual({ ok: true, auth: { type: 'password', password: PLAIN } });
    expect(await resolveTicketAuth(deps, user, target('vm-key'))).toEqual({ ok: true, auth: { type: 'privateKey', privateKey: KEY, passphrase: PASSPHRASE } });
    expect(await resolveTicketAuth(deps, fakeRequest(grantsOf(OWNER)), target('vm-password'))).toMatchObject({ ok: false, code: 'forbidden', message: expect.stringContaining(GET_SECRET) });
    expect(await resolveTicketAuth(deps, user, target('gone'))).toMatchObject({ ok: false, code: 'auth_failed' });
    const typed = { ...target('x'), auth: { type: 'password' as const, password: 'typed' } };
    expect(await resolveTicketAuth(deps, user, typed)).toEqual({ ok: true, auth: { type: 'password', password: 'typed' } });
    expect(await auditOf('vault.secret.used')).toContainEqual(expect.objectContaining({ actor: 'op', target: `${KV}/secrets/vm-key`, details: { vmId: VM, contentType: 'ssh-private-key' } }));
  });
});

describe('deletion and the audit trail', () => {
  it('refuses to delete a vault that holds secrets, then deletes secrets and vault', async () => {
    expect(errorOf(await call(admin, { method: 'DELETE', url: `/api${KV}` })).code).toBe('BST_ERR_CONFLICT');
    for (const name of ['vm-password', 'vm-key', 'clear-key', 'owner-set']) expect((await call(admin, { method: 'DELETE', url: `/api${KV}/secrets/${name}` })).statusCode).toBe(204);
    expect((await call(admin, { method: 'DELETE', url: `/api${KV}` })).statusCode).toBe(204);
    expect((await call(admin, { url: `/api${KV}` })).statusCode).toBe(404);
  });

  it('audits every change with K codes and never a value or passphrase', async () => {
    const events = [...(await auditOf('vault.created')), ...(await auditOf('vault.secret.written')), ...(await auditOf('vault.secret.deleted')), ...(await auditOf('vault.deleted')), ...(await auditOf('vault.secret.used'))];
    expect(new Set(events.map((e) => e.code))).toEqual(new Set(['K1000I', 'K2000I', 'K2001I', 'K1001I', 'K2002I']));
    expect(events).toContainEqual(expect.objectContaining({ type: 'vault.secret.written', actor: 'admin', target: `${KV}/secrets/vm-key`, details: { contentType: 'ssh-private-key', hasPassphrase: true } }));
    const everything = JSON.stringify((await call(admin, { url: '/api/audit?limit=1000' })).json());
    for (const secret of [PLAIN, PASSPHRASE, 'PRIVATE KEY', KEY.split('\n')[1]!]) expect(everything).not.toContain(secret);
  });

  it('never answered a secret value or passphrase, in any response of this file', () => {
    expect(bodies.length).toBeGreaterThan(30);
    for (const secret of [PLAIN, PASSPHRASE, 'PRIVATE KEY', KEY.split('\n')[1]!, CLEAR_KEY.split('\n')[1]!]) expect(bodies.filter((body) => body.includes(secret))).toEqual([]);
  });
});
