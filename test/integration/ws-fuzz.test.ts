import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { createRng, enc, oddString, seedFromEnv, type Rng } from '../../packages/server/src/http/fuzz/generators.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { requestPdu } from '../helpers/rdp-client.js';
import { BastionClient, type BrowserSession, type WsTerm } from '../helpers/ssh-ws-client.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsCtor } from '../helpers/ws-client.js';
import { frame, Probe, rawUpgrade, waitFor } from '../helpers/ws-probe.js';

/**
 * Security issue #12: every WebSocket endpoint, on a real TLS listener on loopback, fed what a hostile
 * client sends: no ticket, bad tickets, foreign origins, malformed frames on live sessions against the
 * testbed (vm-ssh, vm-xrdp), raw invalid framing and abrupt disconnects. The server must never answer an
 * upgrade with a 5xx, must close with a sensible code, and must keep serving: a canary SSH session opened
 * first still echoes after every case. Replay with BASTION_FUZZ_SEED=<the printed seed>.
 */
const SEED = seedFromEnv();
const PASSWORD = 'Ws-Fuzz-Pass-123';
/** Close codes a deliberate refusal may use (RFC 6455 §7.4 and the tunnel's own 4001/4002); not 1006 nor 1011. */
const SENSIBLE = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 4001, 4002];

let tb: TestbedInfo;
let b: TestBastion;
let base: string;
let client: BastionClient;
let Ws: WsCtor;
let reader: BrowserSession;
let operator: BrowserSession;
let bearer: string;
let canary: WsTerm;
let canarySession: string;
let linkId: string;
let rng: Rng;
const vmPath = (name: string) => testbedPath(tb, 'Microsoft.Compute/virtualMachines', name);
const bastionPath = () => testbedPath(tb, 'Microsoft.Network/bastionHosts', tb.bastionHost);
const wss = (path: string) => `${base.replace('https:', 'wss:')}${path}`;
const browser = (who: BrowserSession, extra: Record<string, string> = {}) => ({ cookie: who.cookie, origin: base, ...extra });
const sshTicket = async (who = reader) => (await client.ticket(who, vmPath('vm-ssh'), tb.user, { type: 'password', password: tb.password })).url;
let checks = 0;

/** The process still serves HTTP and the canary session still runs commands. */
async function stillHealthy(): Promise<void> {
  expect((await client.request('GET', '/healthz')).status).toBe(200);
  const n = 1000 + ++checks;
  await canary.run(`echo $((${n}*7))`, new RegExp(`${n * 7}\\r?\\n`));
}

/** No 5xx on the upgrade; finished sockets closed with a sensible code; and no session was granted. */
function expectSane(p: Probe, what: string, opts: { sessionAllowed?: boolean } = {}): void {
  if (p.refusedStatus !== undefined) expect(p.refusedStatus, `${what}: upgrade answered ${p.refusedStatus}`).toBeLessThan(500);
  else if (p.closeCode !== undefined) expect(SENSIBLE, `${what}: closed with ${p.closeCode}; texts ${JSON.stringify(p.texts).slice(0, 300)}`).toContain(p.closeCode);
  if (!opts.sessionAllowed) expect(p.json.filter((m) => m.type === 'ready'), `${what}: a session was opened`).toEqual([]);
}

/** Either the socket closed sensibly, or it is still open and the SSH relay still answers a ping. */
async function closedOrAlive(p: Probe, what: string): Promise<void> {
  await waitFor(`${what}: a close or a pong`, () => p.closeCode !== undefined || p.json.some((m) => m.type === 'pong' && m.t === 4242), 15_000).catch(() => undefined);
  if (p.closeCode === undefined) {
    p.send(JSON.stringify({ type: 'ping', t: 4242 }));
    await waitFor(`${what}: the pong`, () => p.closeCode !== undefined || p.json.some((m) => m.type === 'pong' && m.t === 4242));
  }
  expectSane(p, what, { sessionAllowed: true });
}

beforeAll(async () => {
  console.log(`ws fuzz seed: ${SEED} (replay with BASTION_FUZZ_SEED=${SEED})`);
  rng = createRng(SEED);
  tb = readTestbed();
  Ws = await loadWebSocket();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  inventory.bastionHosts = (inventory.bastionHosts ?? []).map((h) => ({ ...h, enableIpConnect: true, enableShareableLink: true }));
  const sub = `/subscriptions/${tb.subscriptionId}`;
  b = await createTestBastion({
    inventory,
    users: [
      { username: 'reader', password: PASSWORD },
      { username: 'operator', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'reader', role: 'Reader', scope: sub },
      { assignee: 'operator', role: 'Owner', scope: sub },
    ],
  });
  base = await listenOnLoopback(b.app);
  client = new BastionClient(base);
  reader = await client.signIn('reader', PASSWORD);
  operator = await client.signIn('operator', PASSWORD);
  const token = await client.request('POST', '/api/auth/tokens', { body: { username: 'operator', password: PASSWORD } });
  expect(token.status, token.body).toBe(201);
  bearer = (JSON.parse(token.body) as { token: string }).token;
  const link = await client.request('POST', `/api${bastionPath()}/createShareableLinks`, { body: { vms: [{ vm: { id: vmPath('vm-ssh') } }] }, who: operator });
  expect(link.status, link.body).toBe(200);
  linkId = (JSON.parse(link.body) as { value: Array<{ id: string }> }).value[0]!.id;
  canary = await client.terminal(await sshTicket(operator), operator);
  canarySession = String((await canary.ready()).sessionId);
  await canary.prompt();
});

// A case that failed half-way must not leave its session open for the next one (the leftover-session check).
afterEach(() => {
  for (const p of Probe.all.splice(0)) p.ws.terminate();
});

afterAll(async () => {
  canary?.ws.terminate();
  await b?.dispose();
});

describe(`WebSocket fuzz (seed ${SEED})`, () => {
  it('refuses every endpoint without credentials, with bad tickets and from other origins: no 5xx, no session', async () => {
    const used = await sshTicket(); // redeemed below, then replayed
    const first = Probe.open(Ws, wss(used), browser(reader));
    await first.settled();
    first.ws.close();
    const ticket = () => rng.pick([used.split('ticket=')[1]!, 'nope', enc(oddString(rng).slice(0, 100)), 'x'.repeat(129), '', '%00', '%ZZ']);
    const endpoints = () => [
      `/api/ssh/connect?ticket=${ticket()}`,
      `/api/ssh/connect-ip?ticket=${ticket()}&cols=${rng.pick(['0', '80', '-1', 'x', '100000'])}`,
      '/api/rdp/relay',
      `/api/tunnel?vm=${encodeURIComponent(vmPath(rng.pick(['vm-ssh', 'nope'])))}&port=${rng.pick(['22', '0', '65536', 'x'])}`,
      `/api/share/connect?link=${rng.pick([linkId, 'nope', ''])}&ticket=${ticket()}`,
      `/api/recordings/${rng.pick([canarySession, '00000000-0000-4000-8000-000000000000', '..', '%2e%2e'])}/live`,
      `/api/tunnel?bastion=${encodeURIComponent(bastionPath())}&ip=${rng.pick(['127.0.0.1', '10.90.1.20', '10.90.0.4', '::1', '0.0.0.0'])}&port=22`,
    ];
    const callers: Array<[string, Record<string, string>]> = [
      ['no credentials', { origin: base }],
      ['a made-up cookie', { origin: base, cookie: `bastion_session=${rng.pick(['x', 'A'.repeat(43), '%00'])}` }],
      ['a made-up bearer', { authorization: 'Bearer bst_made-up' }],
      ['a foreign origin', browser(reader, { origin: 'https://evil.example' })],
      ['no origin', { cookie: reader.cookie }],
      ['a look-alike origin', browser(reader, { origin: `${base}.evil.example` })],
      // The tunnel takes no ticket: the reader may open one to vm-ssh, so its only target here is a made-up VM.
      ['the reader, with a bad ticket', browser(reader)],
    ];
    for (const [who, headers] of callers)
      for (const path of endpoints().map((e) => (who.startsWith('the reader') ? e.replace(/virtualMachines%2Fvm-ssh&/, 'virtualMachines%2Fnope&') : e))) {
        const p = Probe.open(Ws, wss(path), headers);
        await p.settled();
        if (p.opened) {
          p.send(Buffer.from([0, ...Buffer.from('id\r')])); // input before the refusal lands
          await p.closed();
        }
        expectSane(p, `${who} → ${path}`);
        // No terminal output, tunnel bytes or recording lines (the RDP relay's one binary answer is its error PDU).
        if (!path.startsWith('/api/rdp/')) expect(p.binaries.length + p.texts.filter((t) => t.startsWith('[')).length, `${who} → ${path}: got data`).toBe(0);
      }
    await stillHealthy();
  });

  it('closes a live SSH session sensibly on malformed frames, and other sessions continue', async () => {
    const garbage = () => Buffer.from(Array.from({ length: 1 + rng.int(200) }, () => rng.int(256)));
    const cases: Array<[string, (p: Probe) => void]> = [
      ['binary garbage with an unknown tag', (p) => p.send(Buffer.concat([Buffer.from([1 + rng.int(255)]), garbage()]))],
      ['an empty binary frame', (p) => p.send(Buffer.alloc(0))],
      ['a binary frame over the 64 KiB limit', (p) => p.send(Buffer.alloc(64 * 1024 + 1))],
      ['a text frame over the 4 KiB control limit', (p) => p.send(JSON.stringify({ type: 'ping', t: 1, pad: 'x'.repeat(8000) }))],
      ['a text frame that is not JSON', (p) => p.send(rng.pick(['{', 'hello', '\u0000', '[1,', oddString(rng)]))],
      ['JSON of the wrong type', (p) => p.send(rng.pick(['[]', '"ping"', '42', 'null', '{}']))],
      ['resize with wrong types', (p) => p.send(JSON.stringify({ type: 'resize', cols: rng.pick(['80', null, -1, 0, 1001, 1e308, 1.5]), rows: 24 }))],
      ['ack with a negative or huge count', (p) => p.send(JSON.stringify({ type: 'ack', bytes: rng.pick([-1, 2 ** 60, 'x', null]) }))],
      ['ping with extra fields', (p) => p.send(JSON.stringify({ type: 'ping', t: 1, extra: true }))],
      ['an unknown control type', (p) => p.send(JSON.stringify({ type: rng.pick(['exec', 'data', '__proto__', 'ready']), cmd: 'id' }))],
      ['prototype keys', (p) => p.send('{"__proto__":{"type":"ping","t":1},"constructor":{"prototype":{"x":1}}}')],
      ['a close, then frames after it', (p) => { (p.ws as unknown as { close(code: number): void }).close(1000); p.send('{"type":"ping","t":1}'); p.send(garbage()); }],
    ];
    for (const [what, act] of cases) {
      const p = Probe.open(Ws, wss(await sshTicket()), browser(reader));
      await waitFor(`${what}: ready`, () => p.json.some((m) => m.type === 'ready') || p.closeCode !== undefined);
      expect(p.json.some((m) => m.type === 'ready'), `${what}: the session did not start: ${p.texts.join(' ')}`).toBe(true);
      act(p);
      await closedOrAlive(p, what);
      p.ws.terminate();
      await stillHealthy();
    }
  });

  it('answers a frame over the limit with 1009 even while output is flowing (the close frame is not cut off)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = Probe.open(Ws, wss(await sshTicket()), browser(reader));
      await waitFor('ready', () => p.json.some((m) => m.type === 'ready') || p.closeCode !== undefined);
      p.send(Buffer.from([0, ...Buffer.from('yes fuzz | head -c 3000000\r')]));
      await waitFor('output', () => p.binaries.length > 3 || p.closeCode !== undefined);
      p.send(Buffer.alloc(64 * 1024 + 1));
      await p.closed();
      codes.push(p.closeCode!);
    }
    expect(codes).toEqual(Array(6).fill(1009));
    await stillHealthy();
  });

  it('closes tunnel, RDP relay and live-watch sockets sensibly on malformed frames', async () => {
    const tunnelUrl = wss(`/api/tunnel?vm=${encodeURIComponent(vmPath('vm-ssh'))}&port=22`);
    const rdpToken = async () => JSON.parse((await client.request('POST', `/api${vmPath('vm-xrdp')}/bastionRdp`, { body: {}, who: reader })).body) as { token: string; destination: string };
    const cases: Array<[string, () => Promise<Probe>, (p: Probe) => Promise<void> | void]> = [
      ['tunnel: a text frame', async () => Probe.open(Ws, tunnelUrl, { authorization: `Bearer ${bearer}` }), (p) => p.send('{"type":"ping"}')],
      ['tunnel: a frame over the limit', async () => Probe.open(Ws, tunnelUrl, { authorization: `Bearer ${bearer}` }), (p) => p.send(Buffer.alloc(64 * 1024 + 1))],
      ['tunnel: garbage to sshd', async () => Probe.open(Ws, tunnelUrl, { authorization: `Bearer ${bearer}` }), (p) => p.send(Buffer.from(`GET / HTTP/1.0\r\n\r\n${'\u0000'.repeat(300)}`))],
      ['rdp: a text frame first', async () => Probe.open(Ws, wss('/api/rdp/relay'), browser(reader)), (p) => p.send('hello')],
      ['rdp: binary garbage first', async () => Probe.open(Ws, wss('/api/rdp/relay'), browser(reader)), (p) => p.send(Buffer.from([0x30, 0x82, 0xff, 0xff, ...Array.from({ length: 64 }, () => rng.int(256))]))],
      ['rdp: a frame over the limit', async () => Probe.open(Ws, wss('/api/rdp/relay'), browser(reader)), (p) => p.send(Buffer.alloc(64 * 1024 + 1, 0x30))],
      ['rdp: a request with a made-up token', async () => Probe.open(Ws, wss('/api/rdp/relay'), browser(reader)), (p) => p.send(requestPdu(`${vmPath('vm-xrdp')}`, 'made-up'))],
      ['rdp: garbage after a valid request', async () => Probe.open(Ws, wss('/api/rdp/relay'), browser(reader)), async (p) => {
        const t = await rdpToken();
        p.send(requestPdu(t.destination, t.token));
        await waitFor('the RDCleanPath answer', () => p.binaries.length > 0 || p.closeCode !== undefined);
        // The relay is a pipe now: what xrdp's TLS makes of it decides. A first byte that is no TLS record type
        // is refused at once (random bytes could start a record header that xrdp then waits to complete).
        p.send(Buffer.from([0x00, ...Array.from({ length: 300 }, () => rng.int(256))]));
        // xrdp may also keep waiting for more bytes: then the client leaves, and the relay must let it go.
        await waitFor('xrdp to close', () => p.closeCode !== undefined, 5_000).catch(() => (p.ws as unknown as { close(code: number): void }).close(1000));
      }],
      ['live watch: frames sent to a read-only socket', async () => Probe.open(Ws, wss(`/api/recordings/${canarySession}/live`), browser(operator)), (p) => {
        p.send('{"type":"resize","cols":1,"rows":1}');
        p.send(Buffer.from([0, ...Buffer.from('exit\r')]));
        p.send(Buffer.alloc(64 * 1024 + 1));
      }],
    ];
    for (const [what, open, act] of cases) {
      const p = await open();
      await p.settled();
      expect(p.opened, `${what}: refused with ${p.refusedStatus}`).toBe(true);
      await act(p);
      await p.closed().catch((err: Error) => {
        throw new Error(`${what}: ${err.message}; binaries ${p.binaries.length}`);
      });
      expectSane(p, what, { sessionAllowed: true });
      await stillHealthy();
    }
  });

  it('answers raw invalid framing with a close frame and a sensible code', async () => {
    const cases: Array<[string, Buffer[], number[]]> = [
      ['an unmasked client frame', [frame(2, Buffer.from([0, 0x41]), { mask: false })], [1002]],
      ['a reserved opcode', [frame(rng.pick([3, 7, 0xb, 0xf]), Buffer.from('x'))], [1002]],
      ['RSV bits without an extension', [frame(1, Buffer.from('{}'), { rsv: 1 + rng.int(7) })], [1002]],
      ['invalid UTF-8 in a text frame', [frame(1, Buffer.from([0x7b, 0xff, 0xfe, 0xc0, 0xaf, 0x7d]))], [1007]],
      ['a fragmented ping', [frame(9, Buffer.from('p'), { fin: false })], [1002]],
      ['a control frame over 125 bytes', [frame(9, Buffer.alloc(200))], [1002]],
      ['a continuation without a start', [frame(0, Buffer.from('x'))], [1002]],
      ['a declared length of 2^63 - 1', [frame(2, Buffer.alloc(8), { declaredLength: 2n ** 63n - 1n })], [1009, 1002]],
      ['a close with an invalid code', [frame(8, Buffer.from([0x03, 0xe7]))], [1002]],
      ['frames after a close', [frame(8, Buffer.from([0x03, 0xe8])), frame(2, Buffer.from([0, 0x41])), frame(1, Buffer.from('{"type":"ping","t":1}'))], [1000]],
    ];
    for (const [what, frames, codes] of cases) {
      const raw = await rawUpgrade(base, await sshTicket(), browser(reader));
      expect(raw.status, what).toBe(101);
      for (const f of frames) raw.socket.write(f);
      await waitFor(`${what}: the server's close`, () => raw.closeCode() !== undefined || raw.ended());
      expect({ what, code: raw.closeCode() }).toEqual({ what, code: expect.toSatisfy((c: number) => codes.includes(c)) });
      raw.socket.destroy();
      await stillHealthy();
    }
  });

  it('survives abrupt disconnects mid-handshake and leaves no session behind', async () => {
    const port = Number(new URL(base).port);
    const gone = (s: { on(e: 'close' | 'error', cb: () => void): unknown }) => new Promise<void>((r) => { s.on('close', () => r()); s.on('error', () => r()); });
    // TCP only, then TLS garbage, then a half-written upgrade request, then a full one dropped before the 101.
    const tcp = tcpConnect({ host: '127.0.0.1', port }, () => tcp.destroy());
    await gone(tcp);
    const junk = tcpConnect({ host: '127.0.0.1', port }, () => junk.end(Buffer.from(Array.from({ length: 512 }, () => rng.int(256)))));
    await gone(junk);
    for (const cut of ['GET /api/ssh/connect?ticket=', 'full']) {
      const url = await sshTicket();
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        const request = `GET ${url} HTTP/1.1\r\nHost: ${new URL(base).host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${base}\r\nCookie: ${reader.cookie}\r\n\r\n`;
        s.write(cut === 'full' ? request : request.slice(0, 60));
        s.destroy();
      });
      await gone(s);
    }
    // Only the canary is left among the bastion's active sessions (the dropped upgrade's session ended).
    const active = async () => (JSON.parse((await client.request('POST', `/api${bastionPath()}/getActiveSessions`, { body: {}, who: operator })).body) as { value: Array<{ sessionId: string }> }).value.map((s) => s.sessionId);
    let seen = await active();
    for (let i = 0; i < 300 && !(seen.length === 1 && seen[0] === canarySession); i++) {
      await new Promise((r) => setTimeout(r, 50));
      seen = await active();
    }
    expect(seen).toEqual([canarySession]);
    await stillHealthy();
  });
});
