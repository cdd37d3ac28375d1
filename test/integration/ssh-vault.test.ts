import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME } from '../../packages/protocol/src/ssh-messages.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { createTestBastion, signInAsReadyAdmin, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsClient, type WsCtor } from '../helpers/ws-client.js';
import { listenOnLoopback } from '../helpers/listen.js';

/**
 * Connect with a key vault secret (design 0003, Security): the ticket holds a reference; the value is
 * decrypted at the WebSocket upgrade and handed to ssh2 only. Against the testbed's sshd on vm-ssh:
 * a password secret, the testbed's client key, and that key encrypted with a stored passphrase.
 */

const PASSWORD = 'Vault-Int-Pass-123';
const KEY_PASSPHRASE = 'vault-int-passphrase';
let tb: TestbedInfo;
let b: TestBastion;
let base: string;
let vmPath: string;
let kvPath: string;
let keyDir: string;
const bodies: string[] = [];

interface Browser {
  cookie: string;
  csrf: string;
}
let admin: Browser;
let op: Browser;

function https(method: string, path: string, who: Browser, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { ...(payload ? { 'content-type': 'application/json' } : {}), origin: base, cookie: who.cookie, 'x-csrf-token': who.csrf };
    const req = httpsRequest(`${base}${path}`, { method, rejectUnauthorized: false, timeout: 10_000, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        bodies.push(text);
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function signIn(username: string): Promise<Browser> {
  const res = await b.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: `bastion_session=${res.cookies.find((c) => c.name === 'bastion_session')!.value}`, csrf: (res.json() as { csrfToken: string }).csrfToken };
}

async function putSecret(name: string, properties: Record<string, string>): Promise<void> {
  const res = await https('PUT', `/api${kvPath}/secrets/${name}`, admin, { properties });
  expect(res.status, res.body).toBe(200);
}

async function ticket(who: Browser, secret: string): Promise<string> {
  const res = await https('POST', `/api${vmPath}/bastionSsh`, who, { username: tb.user, auth: { type: 'vaultSecret', secretId: `${kvPath}/secrets/${secret}` } });
  expect(res.status, res.body).toBe(201);
  return (JSON.parse(res.body) as { url: string }).url;
}

let WebSocketCtor: WsCtor;
const sockets: WsClient[] = [];

/** Opens the terminal for `url`, types `echo $((6*7))` once ready, and answers the screen and the controls seen. */
async function runShell(url: string, who: Browser): Promise<{ text: string; messages: Array<{ type: string; [k: string]: unknown }>; closeCode: number | undefined }> {
  const ws = new WebSocketCtor(`${base.replace('https:', 'wss:')}${url}`, { rejectUnauthorized: false, headers: { cookie: who.cookie, origin: base }, maxPayload: MAX_FRAME });
  sockets.push(ws);
  const out = { text: '', messages: [] as Array<{ type: string; [k: string]: unknown }>, closeCode: undefined as number | undefined };
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const m = JSON.parse(data.toString('utf8')) as { type: string };
      out.messages.push(m);
      if (m.type === 'ready') ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('echo $((6*7))\r')]));
      return;
    }
    out.text += data.subarray(1).toString('latin1');
    ws.send(JSON.stringify({ type: 'ack', bytes: data.length - 1 }));
  });
  ws.on('close', (code) => (out.closeCode = code));
  const start = Date.now();
  while (!/[\r\n]42\r?\n/.test(out.text) && out.closeCode === undefined) {
    if (Date.now() - start > 20_000) throw new Error(`no 42 within 20 s: ${JSON.stringify(out.messages)} ${JSON.stringify(out.text.slice(-300))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  ws.terminate();
  return out;
}

beforeAll(async () => {
  tb = readTestbed();
  WebSocketCtor = await loadWebSocket();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  vmPath = testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh');
  kvPath = testbedPath(tb, 'Microsoft.KeyVault/vaults', 'kv-testbed');
  b = await createTestBastion({
    inventory,
    users: [{ username: 'op', password: PASSWORD }],
    roleAssignments: [{ assignee: 'op', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` }],
  });
  base = await listenOnLoopback(b.app);
  const session = await signInAsReadyAdmin(b);
  admin = { cookie: `bastion_session=${session.cookie}`, csrf: session.csrfToken };
  op = await signIn('op');

  expect((await https('PUT', `/api${kvPath}`, admin, {})).status).toBe(201);
  await putSecret('vm-password', { contentType: 'password', value: tb.password });
  await putSecret('vm-key', { contentType: 'ssh-private-key', value: readFileSync(tb.clientKeyPath, 'utf8') });
  // The same key, encrypted: its passphrase is stored (encrypted) beside it.
  keyDir = mkdtempSync(join(tmpdir(), 'bastion-vault-key-'));
  const encrypted = join(keyDir, 'key');
  copyFileSync(tb.clientKeyPath, encrypted);
  execFileSync('ssh-keygen', ['-q', '-p', '-f', encrypted, '-P', '', '-N', KEY_PASSPHRASE]);
  await putSecret('vm-key-encrypted', { contentType: 'ssh-private-key', value: readFileSync(encrypted, 'utf8'), passphrase: KEY_PASSPHRASE });
});

afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await b?.dispose();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

describe('Connect with a key vault secret (testbed sshd)', () => {
  it.each(['vm-password', 'vm-key', 'vm-key-encrypted'])('signs in with %s: echo $((6*7)) prints 42', async (secret) => {
    const shell = await runShell(await ticket(admin, secret), admin);
    expect(shell.messages[0]).toMatchObject({ type: 'ready' });
    expect(shell.text).toMatch(/[\r\n]42\r?\n/);
  });

  it('a Reader needs Key Vault Secrets User, and losing it before the upgrade refuses the session', async () => {
    const denied = await https('POST', `/api${vmPath}/bastionSsh`, op, { username: tb.user, auth: { type: 'vaultSecret', secretId: `${kvPath}/secrets/vm-password` } });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('Microsoft.KeyVault/vaults/secrets/getSecret/action');

    const grant = await https('POST', '/api/roleAssignments', admin, { assignee: 'op', role: 'Key Vault Secrets User', scope: kvPath });
    expect(grant.status, grant.body).toBe(201);
    expect((await runShell(await ticket(op, 'vm-password'), op)).text).toMatch(/[\r\n]42\r?\n/);

    const url = await ticket(op, 'vm-password');
    expect((await https('DELETE', `/api/roleAssignments/${(JSON.parse(grant.body) as { id: string }).id}`, admin)).status).toBe(204);
    const refused = await runShell(url, op);
    expect(refused.messages).toEqual([expect.objectContaining({ type: 'error', code: 'forbidden', message: expect.stringContaining('getSecret') })]);
    expect(refused.text).toBe('');
  });

  it('audited each use without the value, and no response carried secret material', async () => {
    const used = await https('GET', '/api/audit?type=vault.secret.used&limit=100', admin);
    const events = (JSON.parse(used.body) as { value: Array<{ actor: string; target: string; code: string }> }).value;
    expect(events.map((e) => [e.actor, e.target.split('/').pop(), e.code])).toEqual(
      expect.arrayContaining([['admin', 'vm-password', 'K2002I'], ['admin', 'vm-key', 'K2002I'], ['admin', 'vm-key-encrypted', 'K2002I'], ['op', 'vm-password', 'K2002I']]),
    );
    const keyLine = readFileSync(tb.clientKeyPath, 'utf8').split('\n')[1]!;
    for (const secret of [tb.password, KEY_PASSPHRASE, keyLine, 'PRIVATE KEY']) expect(bodies.filter((body) => body.includes(secret))).toEqual([]);
  });
});
