import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../packages/cli/src/io.js';
import { run } from '../../packages/cli/src/main.js';
import { readCredentials } from '../../packages/cli/src/remote/credentials.js';
import { runTunnel } from '../../packages/cli/src/tunnel.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import type { ActiveSession } from '../../packages/protocol/src/active-sessions.js';
import { parseAsciicastLine, type AsciicastEvent, type RecordingInfo } from '../../packages/protocol/src/recordings.js';
import { BastionClient, type BrowserSession, type WsTerm } from '../helpers/ssh-ws-client.js';
import { execInVm, readTestbed, run as runCommand, testbedVm, type TestbedInfo } from '../helpers/testbed.js';
import { waitForEndedRecord } from '../helpers/connection-records.js';
import { listenOnLoopback } from '../helpers/listen.js';

/**
 * Native clients (design 0007) with the real OpenSSH client, scp and xfreerdp, through an in-process
 * bastion on a real HTTPS port: `bastion login` (pinned self-signed certificate), `bastion ssh`,
 * `bastion tunnel` + scp both ways, xfreerdp through the tunnel, a tunnel in the live sessions and its
 * disconnect, IP-based connection to the testbed's unregistered machine and its refusals, and browser SSH
 * of link visitors and by IP: recorded, listed live, disconnected and idle-limited like portal sessions.
 */

const PASSWORD = 'Native-Test-Pass-1';
let tb: TestbedInfo;
let b: TestBastion;
let base: string;
let dir: string;
const SSH_OPTS = ['-n', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR'];

interface Cli {
  code: number;
  out: string;
  err: string;
}

function ioFor(who: string, stdin = '', env: NodeJS.ProcessEnv = {}): { io: Io; result: () => { out: string; err: string } } {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    readSecret: () => Promise.resolve(stdin.split('\n')[0] ?? ''),
    readStdin: () => Promise.resolve(stdin),
    env: { ...process.env, ...env, BASTION_CREDENTIALS: join(dir, `${who}.json`) },
    importServer: () => Promise.reject(new Error('no server')),
  };
  return { io, result: () => ({ out, err }) };
}

async function cli(who: string, argv: string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<Cli> {
  const { io, result } = ioFor(who, stdin, env);
  const code = await run(argv, io);
  return { code, ...result() };
}

const login = (who: string): Promise<Cli> => cli(who, ['login', '--url', base, '--username', who, '--password-stdin', '--accept-fingerprint', b.tls.fingerprint], `${PASSWORD}\n`);

/** `bastion tunnel` in-process until `stop()`; resolves its local port. */
async function openTunnel(who: string, dest: { vm: string } | { bastion: string; ip: string }, port: number) {
  const { io } = ioFor(who);
  const creds = readCredentials(io.env)!;
  const ac = new AbortController();
  let out = '';
  const done = runTunnel({ ...io, stdout: (s) => void (out += s) }, creds, { ...dest, port }, 0, ac.signal);
  while (!out.includes('localPort')) await new Promise((r) => setTimeout(r, 10));
  const opened = JSON.parse(out) as { localPort: number; tunnelId: string };
  return { port: opened.localPort, tunnelId: opened.tunnelId, stop: async () => (ac.abort(), done) };
}

const subId = (): string => `/subscriptions/${tb.subscriptionId}`;
const vmId = (name: string): string => `${subId()}/resourceGroups/${tb.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${name}`;
const bastionId = (): string => `${subId()}/resourceGroups/${tb.resourceGroup}/providers/Microsoft.Network/bastionHosts/${tb.bastionHost}`;

beforeAll(async () => {
  tb = readTestbed();
  dir = mkdtempSync(join(tmpdir(), 'bastion-native-'));
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  inventory.bastionHosts = (inventory.bastionHosts ?? []).map((h) => ({ ...h, enableIpConnect: true, enableShareableLink: true }));
  b = await createTestBastion({
    inventory,
    users: [
      { username: 'operator', password: PASSWORD },
      { username: 'reader', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'operator', role: 'Owner', scope: subId() },
      { assignee: 'reader', role: 'Reader', scope: subId() },
    ],
  });
  base = await listenOnLoopback(b.app);
});

afterAll(async () => {
  await b?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bastion login / logout', () => {
  it('refuses a certificate whose fingerprint is not the one given', async () => {
    const r = await cli('operator', ['login', '--url', base, '--username', 'operator', '--password-stdin', '--accept-fingerprint', 'AB:CD'], `${PASSWORD}\n`);
    expect(r.code).toBe(1);
    expect(r.err).toContain(b.tls.fingerprint);
    expect(existsSync(join(dir, 'operator.json'))).toBe(false);
  });

  it('pins the self-signed certificate, stores the token 0600, lists it, and logout revokes it', async () => {
    const r = await login('reader');
    expect(r.code, r.err).toBe(0);
    const file = join(dir, 'reader.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(file, 'utf8')) as { token: string; tls: { mode: string; fingerprint: string } };
    expect(creds.tls).toMatchObject({ mode: 'pinned', fingerprint: b.tls.fingerprint });
    const tokens = await cli('reader', ['tokens']);
    expect(tokens.code, tokens.err).toBe(0);
    expect(JSON.parse(tokens.out)).toHaveLength(1);
    expect((await cli('reader', ['logout'])).code).toBe(0);
    expect(existsSync(file)).toBe(false);
    // The token is dead on the server, not only forgotten locally.
    const res = await b.app.inject({ method: 'GET', url: '/api/auth/tokens', headers: { authorization: `Bearer ${creds.token}` } });
    expect(res.statusCode).toBe(401);
    expect((await login('reader')).code).toBe(0);
  });

  it('refuses to talk to a bastion whose certificate changed since login', async () => {
    expect((await login('operator')).code).toBe(0);
    const file = join(dir, 'operator.json');
    const good = readFileSync(file, 'utf8');
    const other = JSON.parse(good) as { tls: { fingerprint: string; certificatePem: string } };
    // A different certificate pinned (another bastion's): the real one must now be refused.
    const alien = await createTestBastion({});
    other.tls = { ...other.tls, fingerprint: alien.tls.fingerprint, certificatePem: alien.tls.cert };
    await alien.dispose();
    writeFileSync(file, JSON.stringify(other));
    const r = await cli('operator', ['tokens']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/does not match the one trusted/);
    writeFileSync(file, good);
  });
});

describe('bastion ssh and tunnel with OpenSSH', () => {
  beforeAll(async () => {
    expect((await login('operator')).code).toBe(0);
  });

  it('bastion ssh reaches vm-ssh with the client key and runs a command (its exit status is ours)', async () => {
    const r = await cli('operator', ['ssh', 'vm-ssh', '--auth-type', 'ssh-key', '--ssh-key', tb.clientKeyPath, '--username', tb.user, '--', ...SSH_OPTS, 'hostname > /tmp/bastion-native-proof; echo $((6*7)) >> /tmp/bastion-native-proof; exit 42']);
    expect(r.code, r.err).toBe(42);
    const proof = await execInVm(testbedVm(tb, 'vm-ssh'), 'cat /tmp/bastion-native-proof; rm -f /tmp/bastion-native-proof');
    expect(proof.stdout.trim().split('\n')).toEqual(['vm-ssh', '42']);
    // The CLI exits when its side of the tunnel closes; the bastion writes the row's end a moment later.
    const newest = (await b.connections.list({ targetResourceId: vmId('vm-ssh') }))[0]!;
    const record = await waitForEndedRecord(b.connections, newest.sessionId);
    expect(record).toMatchObject({ protocol: 'tunnel', principalName: 'operator', targetVMIPAddress: '10.90.1.4', targetPort: 22, message: 'Successfully Connected.', endReason: expect.stringMatching(/closed/) });
    expect(record.tunnelId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.bytesIn).toBeGreaterThan(1000);
  });

  it('scp through bastion tunnel copies a file both ways', async () => {
    const t = await openTunnel('operator', { vm: vmId('vm-ssh') }, 22);
    try {
      const local = join(dir, 'up.bin');
      writeFileSync(local, Buffer.alloc(3 * 1024 * 1024, 'bastion-scp-'));
      const scp = ['-P', String(t.port), '-i', tb.clientKeyPath, ...SSH_OPTS.slice(1)];
      const up = await runCommand('scp', [...scp, local, `${tb.user}@127.0.0.1:/tmp/bastion-scp-up.bin`], { timeoutMs: 60_000 });
      expect(up.code, up.stderr).toBe(0);
      const remote = await execInVm(testbedVm(tb, 'vm-ssh'), 'sha256sum /tmp/bastion-scp-up.bin | cut -d" " -f1; cp /tmp/bastion-scp-up.bin /tmp/bastion-scp-down.bin; echo extra >> /tmp/bastion-scp-down.bin; chmod 644 /tmp/bastion-scp-down.bin');
      const { createHash } = await import('node:crypto');
      expect(remote.stdout.trim()).toBe(createHash('sha256').update(readFileSync(local)).digest('hex'));
      const back = join(dir, 'down.bin');
      const down = await runCommand('scp', [...scp, `${tb.user}@127.0.0.1:/tmp/bastion-scp-down.bin`, back], { timeoutMs: 60_000 });
      expect(down.code, down.stderr).toBe(0);
      expect(readFileSync(back).equals(Buffer.concat([readFileSync(local), Buffer.from('extra\n')]))).toBe(true);
      await execInVm(testbedVm(tb, 'vm-ssh'), 'rm -f /tmp/bastion-scp-up.bin /tmp/bastion-scp-down.bin');
    } finally {
      await t.stop();
    }
  });

  it('a tunnel is a live session (protocol tunnel) and disconnecting it ends the ssh session', async () => {
    const t = await openTunnel('operator', { vm: vmId('vm-ssh2') }, 22);
    let child: ChildProcess | undefined;
    try {
      child = spawn('ssh', ['-p', String(t.port), '-i', tb.clientKeyPath, ...SSH_OPTS, `${tb.user}@127.0.0.1`, 'sleep 60'], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      // The Sessions page's API (getActiveSessions / disconnectActiveSessions), called with the CLI's token.
      const token = readCredentials(ioFor('operator').io.env)!.token;
      const sessionsApi = (verb: string, payload?: object) => b.app.inject({ method: 'POST', url: `/api${bastionId()}/${verb}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
      let live: { sessionId: string; protocol: string; targetIpAddress: string; principalName: string; bytesIn: number } | undefined;
      for (let i = 0; i < 200 && !live?.bytesIn; i++) {
        await new Promise((r) => setTimeout(r, 25));
        live = ((await sessionsApi('getActiveSessions')).json() as { value: Array<NonNullable<typeof live>> }).value.find((x) => x.targetIpAddress === '10.90.1.5');
      }
      expect(live, 'tunnel session listed').toMatchObject({ protocol: 'SSH', principalName: 'operator' });
      expect(b.liveSessions.get(live!.sessionId)?.protocol).toBe('tunnel');
      await new Promise((r) => setTimeout(r, 500)); // let ssh authenticate and start `sleep`
      const started = Date.now();
      expect((await sessionsApi('disconnectActiveSessions', { value: [live!.sessionId] })).json()).toMatchObject({ value: [{ state: 'Disconnected' }] });
      expect(await exited).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
      const record = await b.connections.get(live!.sessionId);
      expect(record).toMatchObject({ protocol: 'tunnel', endReason: 'terminated', tunnelId: t.tunnelId });
    } finally {
      child?.kill();
      await t.stop();
    }
  });

  it('xfreerdp through the tunnel authenticates to vm-xrdp (TLS) and to vm-nla (NLA), and NLA refuses a wrong password', async () => {
    const display = `:${90 + (process.pid % 9)}`;
    const xvfb = spawn('Xvfb', [display, '-screen', '0', '1024x768x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const env = { ...process.env, DISPLAY: display };
      for (const [vm, password, expected] of [['vm-xrdp', tb.password, 0], ['vm-nla', tb.password, 0], ['vm-nla', 'Wrong-Pass-1', 'fail']] as const) {
        const t = await openTunnel('operator', { vm: vmId(vm) }, 3389);
        try {
          const r = await runCommand('xfreerdp', [`/v:127.0.0.1:${t.port}`, `/u:${tb.user}`, `/p:${password}`, '/cert:ignore', '+auth-only'], { timeoutMs: 30_000, env });
          if (expected === 0) expect(r.code, `${vm}: ${r.stderr}${r.stdout}`).toBe(0);
          else expect(r.code, `${vm} with a wrong password`).not.toBe(0);
        } finally {
          await t.stop();
        }
      }
      // bastion rdp: writes the .rdp file, launches xfreerdp at the tunnel, closes the tunnel when it exits.
      const r = await cli('operator', ['rdp', 'vm-nla', '--username', tb.user, '--', `/p:${tb.password}`, '/cert:ignore', '+auth-only'], '', { DISPLAY: display });
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/connection\.rdp → 127\.0\.0\.1:\d+/);
    } finally {
      xvfb.kill();
    }
  });
});

describe('IP-based connection (enableIpConnect)', () => {
  beforeAll(async () => {
    for (const who of ['operator', 'reader']) expect((await login(who)).code).toBe(0);
  });

  it('bastion ssh --target-ip reaches the unregistered machine', async () => {
    const unreg = tb.unregistered?.find((m) => m.name === 'host-unreg');
    expect(unreg, 'testbed has host-unreg (npm run testbed -- up)').toBeDefined();
    const r = await cli('operator', ['ssh', '--target-ip', unreg!.ip, '--ssh-key', tb.clientKeyPath, '--username', tb.user, '--', ...SSH_OPTS, 'test "$(hostname)" = host-unreg && exit 7']);
    expect(r.code, r.err).toBe(7);
    const record = (await b.connections.list({ limit: 5 })).find((x) => x.targetVMIPAddress === unreg!.ip)!;
    expect(record).toMatchObject({ protocol: 'tunnel', targetResourceId: `${bastionId()}/connectByIp/${unreg!.ip}`, message: 'Successfully Connected.' });
  });

  it('browser SSH by IP: POST {bastion}/bastionSsh { targetIp } and the WebSocket reach host-unreg; Reader is refused', async () => {
    const client = new BastionClient(base);
    const who = await client.signIn('operator', PASSWORD);
    const res = await client.request('POST', `/api${bastionId()}/bastionSsh`, { who, body: { targetIp: '10.90.1.20', username: tb.user, auth: { type: 'password', password: tb.password } } });
    expect(res.status, res.body).toBe(201);
    const term = await client.terminal((JSON.parse(res.body) as { url: string }).url, who);
    await term.ready();
    await term.run('hostname; echo $((6*7))', /\rhost-unreg\r\n42\r\n/);
    term.ws.close();
    const refused = await client.request('POST', `/api${bastionId()}/bastionSsh`, { who, body: { targetIp: '169.254.169.254', username: 'x', auth: { type: 'password', password: 'x' } } });
    expect(refused.status).toBe(403);
    const reader = await client.signIn('reader', PASSWORD);
    const denied = await client.request('POST', `/api${bastionId()}/bastionSsh`, { who: reader, body: { targetIp: '10.90.1.20', username: 'x', auth: { type: 'password', password: 'x' } } });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('connectByIp');
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['169.254.169.254', /link-local/],
    ['192.168.77.5', /outside the networks/],
    ['10.90.0.4', /bastion's own addresses|AzureBastionSubnet/],
    ['10.90.1.255', /reserves|broadcast/],
    ['10.90.255.255', /broadcast/],
  ])('refuses %s', async (ip, why) => {
    const r = await cli('operator', ['tunnel-stdio', '--target-ip', ip, '--resource-port', '22']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(why);
  });

  it('needs connectByIp on the bastion: Reader alone is refused', async () => {
    const r = await cli('reader', ['tunnel-stdio', '--target-ip', '10.90.1.20', '--resource-port', '22']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/connectByIp/);
  });

  it('a VM tunnel still obeys the Connect check: Reader may, an unknown VM is 404', async () => {
    const r = await cli('reader', ['tunnel-stdio', '--target', vmId('vm-missing'), '--resource-port', '22']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not found/);
  });
});

describe('browser SSH of link visitors and by IP: the same session as the portal\'s', () => {
  let client: BastionClient;
  let op: BrowserSession;
  const api = async (path: string, body?: object) => {
    const res = await client.request('POST', `/api${path}`, { who: op, ...(body ? { body } : {}) });
    expect(res.status, res.body).toBeLessThan(300);
    return JSON.parse(res.body) as Record<string, unknown>;
  };
  // The bastion's PUT replaces its properties: the two switches stay on, the limits change.
  const setLimits = async (idleTimeoutMinutes: number, maxSessionMinutes: number) => {
    const vnet = `${subId()}/resourceGroups/${tb.resourceGroup}/providers/Microsoft.Network/virtualNetworks/${tb.virtualNetwork}`;
    const res = await client.request('PUT', `/api${bastionId()}`, { who: op, body: { properties: { virtualNetwork: { id: vnet }, enableIpConnect: true, enableShareableLink: true, idleTimeoutMinutes, maxSessionMinutes } } });
    expect(res.status, res.body).toBe(200);
  };
  /** A session of this kind to a real sshd: through a fresh shareable link to vm-ssh (no cookie), or by IP to host-unreg. */
  const open = async (kind: 'link' | 'ip'): Promise<{ t: WsTerm; sessionId: string; host: string }> => {
    const auth = { type: 'password', password: tb.password };
    let url: string;
    let t: WsTerm;
    if (kind === 'link') {
      const made = (await api(`${bastionId()}/createShareableLinks`, { vms: [{ vm: { id: vmId('vm-ssh') } }] })) as { value: Array<{ bsl: string }> };
      const secret = made.value[0]!.bsl.split('/share/')[1]!;
      const res = await client.request('POST', `/api/share/${secret}/ssh`, { body: { username: tb.user, auth } });
      expect(res.status, res.body).toBe(201);
      url = (JSON.parse(res.body) as { url: string }).url;
      t = await client.terminal(url, { cookie: '', csrf: '' });
    } else {
      url = ((await api(`${bastionId()}/bastionSsh`, { targetIp: '10.90.1.20', username: tb.user, auth })) as { url: string }).url;
      t = await client.terminal(url, op);
    }
    return { t, sessionId: String((await t.ready()).sessionId), host: kind === 'link' ? 'vm-ssh' : 'host-unreg' };
  };
  const endedRecord = (sessionId: string) => waitForEndedRecord(b.connections, sessionId);

  beforeAll(async () => {
    client = new BastionClient(base);
    op = await client.signIn('operator', PASSWORD);
  });
  afterAll(async () => setLimits(0, 0));

  it.each(['link', 'ip'] as const)('%s: listed live, disconnected by an administrator, and recorded as asciicast', async (kind) => {
    await setLimits(0, 0);
    const { t, sessionId, host } = await open(kind);
    await t.run(`hostname; echo ${kind}-rec-$((6*7))`, new RegExp(`${host}\\r\\n${kind}-rec-42`));
    const listed = ((await api(`${bastionId()}/getActiveSessions`)) as { value: ActiveSession[] }).value.find((s) => s.sessionId === sessionId);
    expect(listed, 'in getActiveSessions').toMatchObject({ protocol: 'SSH', principalName: kind === 'link' ? expect.stringMatching(/^link:.+ \(shared by operator\)$/) : 'operator' });
    expect(await api(`${bastionId()}/disconnectActiveSessions`, { value: [sessionId] })).toMatchObject({ value: [{ sessionId, state: 'Disconnected' }] });
    await t.until('closed', () => t.closeCode !== undefined);
    expect(t.message('closed')).toMatchObject({ reason: 'terminated' });
    expect(await endedRecord(sessionId)).toMatchObject({ endReason: 'terminated', message: 'Successfully Connected.' });

    for (let i = 0; i < 200 && b.recordings.isLive(sessionId); i++) await new Promise((r) => setTimeout(r, 25));
    const rec = await client.request('GET', '/api/recordings', { who: op });
    expect((JSON.parse(rec.body) as { value: RecordingInfo[] }).value.find((r) => r.sessionId === sessionId)).toMatchObject({ protocol: 'ssh', format: 'asciicast', status: 'complete' });
    const cast = await client.request('GET', `/api/recordings/${sessionId}/download`, { who: op });
    expect(cast.status).toBe(200);
    const output = cast.body.trim().split('\n').map((l) => parseAsciicastLine(l)).filter((l): l is { kind: 'event'; event: AsciicastEvent } => l?.kind === 'event' && l.event[1] === 'o').map((l) => l.event[2]).join('');
    expect(output).toContain(`${kind}-rec-42`);
  });

  it.each(['link', 'ip'] as const)("%s: closed by the bastion's idle timeout", async (kind) => {
    await setLimits(0.05, 0); // 3 s
    const { t, sessionId } = await open(kind);
    await t.until('closed', () => t.closeCode !== undefined, 15_000);
    expect(t.message('closed')).toEqual({ type: 'closed', reason: 'idle_timeout', message: 'The session was closed after 3 seconds without input.' });
    expect(await endedRecord(sessionId)).toMatchObject({ endReason: 'idle_timeout' });
  });
});
