import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { waitForEndedRecord } from '../helpers/connection-records.js';
import { listenOnLoopback } from '../helpers/listen.js';
import { BastionClient, type BrowserSession, type WsTerm } from '../helpers/ssh-ws-client.js';
import { sshdServing, sshdSessions } from '../helpers/sshd-sessions.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { frame, rawUpgrade, type RawSocket } from '../helpers/ws-probe.js';

/**
 * Reliability issue #13, findings 1 and 8, against real TLS WebSockets on loopback and the testbed's vm-ssh:
 * a client that pings without reading cannot grow the bastion (it is closed with a reason), a frozen sshd
 * is shown as "not responding" and the keys typed meanwhile arrive once it resumes, and WebSocket protocol
 * errors (oversized frame, invalid UTF-8) are recorded as `protocol_error` with a reason for the client.
 */
const PASSWORD = 'Ws-Bounds-Pass-123';
const MiB = 1024 * 1024;
/** The bound stated for the ping flood: the bastion's RSS grows by less than this (the old code: ~200 MiB). */
const FLOOD_RSS_BOUND = 64 * MiB;
const FLOOD_PINGS = 1_000_000;

let tb: TestbedInfo;
let b: TestBastion;
let base: string;
let client: BastionClient;
let user: BrowserSession;
const vmPath = (name: string) => testbedPath(tb, 'Microsoft.Compute/virtualMachines', name);
const sshTicket = async () => (await client.ticket(user, vmPath('vm-ssh'), tb.user, { type: 'password', password: tb.password })).url;

/** The server's frames (unmasked) in a byte stream: text payloads and the close frame's code and reason. */
function serverFrames(bytes: Buffer): { texts: string[]; close: { code: number; reason: string } | undefined } {
  const texts: string[] = [];
  let close: { code: number; reason: string } | undefined;
  for (let at = 0; at + 2 <= bytes.length; ) {
    const opcode = bytes[at]! & 0x0f;
    let len = bytes[at + 1]! & 0x7f;
    let off = at + 2;
    if (len === 126) (len = bytes.readUInt16BE(off)), (off += 2);
    else if (len === 127) (len = Number(bytes.readBigUInt64BE(off))), (off += 8);
    if (off + len > bytes.length) break;
    const payload = bytes.subarray(off, off + len);
    if (opcode === 1) texts.push(payload.toString('utf8'));
    if (opcode === 8 && !close) close = { code: len >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString('utf8') };
    at = off + len;
  }
  return { texts, close };
}
const controls = (raw: RawSocket) => serverFrames(raw.received()).texts.map((t) => JSON.parse(t) as { type: string; [k: string]: unknown });

async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves when the socket can take more or has closed (its listeners removed either way). */
function drainedOrClosed(raw: RawSocket): Promise<void> {
  return new Promise((resolve) => {
    if (raw.ended()) return resolve();
    const done = () => {
      raw.socket.off('drain', done).off('close', done);
      resolve();
    };
    raw.socket.on('drain', done).on('close', done);
  });
}

/** A raw SSH WebSocket that reached `ready`: its session ID. */
async function rawSession(): Promise<{ raw: RawSocket; sessionId: string }> {
  const raw = await rawUpgrade(base, await sshTicket(), { cookie: user.cookie, origin: base });
  expect(raw.status).toBe(101);
  await until('ready', () => controls(raw).some((m) => m.type === 'ready') || raw.ended());
  const ready = controls(raw).find((m) => m.type === 'ready');
  expect(ready, JSON.stringify(controls(raw))).toBeDefined();
  return { raw, sessionId: String(ready!.sessionId) };
}

beforeAll(async () => {
  tb = readTestbed();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  b = await createTestBastion({
    inventory,
    users: [{ username: 'bounds', password: PASSWORD }],
    roleAssignments: [{ assignee: 'bounds', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` }],
  });
  base = await listenOnLoopback(b.app);
  client = new BastionClient(base);
  user = await client.signIn('bounds', PASSWORD);
});

afterAll(async () => {
  await b?.dispose();
});

describe('bounded memory per WebSocket client (#13 finding 1)', () => {
  it(`a client that pings without reading is closed with a reason; RSS grows < ${FLOOD_RSS_BOUND / MiB} MiB; another session keeps working`, async () => {
    const other: WsTerm = await client.terminal(await sshTicket(), user);
    await other.ready();
    await other.prompt();
    const { raw, sessionId } = await rawSession();
    raw.socket.pause(); // never reads from here on: whatever the bastion sends waits in its buffers

    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    // 1,000 pings per write, the same bytes each time: the client itself holds one batch.
    const batch = Buffer.concat(Array.from({ length: 1000 }, (_, i) => frame(1, Buffer.from(JSON.stringify({ type: 'ping', t: i })))));
    let written = 0;
    try {
      for (let i = 0; i < FLOOD_PINGS / 1000 && !raw.ended(); i++) {
        if (!raw.socket.write(batch)) await drainedOrClosed(raw);
        written += 1000;
      }
      await new Promise((r) => setTimeout(r, 500)); // the last batches are parsed
      peak = Math.max(peak, process.memoryUsage().rss);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - before;
    console.log(`ping flood: ${written} pings written, RSS ${(before / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} MiB (+${(growth / MiB).toFixed(1)} MiB)`);

    raw.socket.resume(); // now read what the bastion said
    await until('the close frame', () => serverFrames(raw.received()).close !== undefined, 30_000);
    const { close } = serverFrames(raw.received());
    const pongs = controls(raw).filter((m) => m.type === 'pong').length;
    console.log(`ping flood: ${pongs} pongs received, close ${JSON.stringify(close)}`);
    expect(controls(raw).at(-1)).toMatchObject({ type: 'closed', reason: 'protocol_error', message: expect.stringMatching(/too many control messages/i) });
    expect(close).toEqual({ code: 1008, reason: expect.stringMatching(/too many control messages/i) });
    expect(growth).toBeLessThan(FLOOD_RSS_BOUND);
    expect((await waitForEndedRecord(b.connections, sessionId)).endReason).toBe('protocol_error');
    raw.socket.destroy();

    await other.run('echo $((6*7))', /42\r?\n/);
    other.ws.close();
  }, 120_000);
});

describe('WebSocket protocol errors are named and recorded (#13 finding 8)', () => {
  const cases: Array<[string, Buffer, number, RegExp]> = [
    ['an oversized binary frame', frame(2, Buffer.alloc(64 * 1024 + 1)), 1009, /larger than 65536 bytes/],
    ['an invalid UTF-8 text frame', frame(1, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])), 1007, /not valid UTF-8/],
  ];
  for (const [what, bad, code, reason] of cases)
    it(`${what}: closed ${code} with the reason, recorded as protocol_error`, async () => {
      const { raw, sessionId } = await rawSession();
      raw.socket.write(bad);
      await until('the close frame', () => serverFrames(raw.received()).close !== undefined);
      expect(controls(raw).at(-1)).toMatchObject({ type: 'closed', reason: 'protocol_error', message: expect.stringMatching(reason) });
      expect(serverFrames(raw.received()).close).toEqual({ code, reason: expect.stringMatching(reason) });
      const record = await waitForEndedRecord(b.connections, sessionId);
      expect(record.endReason).toBe('protocol_error');
      raw.socket.destroy();
    });
});

describe('tunnel: a WebSocket protocol error is named and recorded', () => {
  it('an oversized frame on a TCP tunnel: closed 1009 with the reason, recorded as protocol_error', async () => {
    const token = await client.request('POST', '/api/auth/tokens', { body: { username: 'bounds', password: PASSWORD } });
    expect(token.status, token.body).toBe(201);
    const bearer = (JSON.parse(token.body) as { token: string }).token;
    const raw = await rawUpgrade(base, `/api/tunnel?vm=${encodeURIComponent(vmPath('vm-ssh'))}&port=22`, { authorization: `Bearer ${bearer}` });
    expect(raw.status).toBe(101);
    await until("sshd's banner through the tunnel", () => raw.received().includes('SSH-2.0-') || raw.ended());
    raw.socket.write(frame(2, Buffer.alloc(64 * 1024 + 1)));
    await until('the close frame', () => serverFrames(raw.received()).close !== undefined);
    expect(serverFrames(raw.received()).close).toEqual({ code: 1009, reason: expect.stringMatching(/larger than 65536 bytes/) });
    raw.socket.destroy();
    let record: Awaited<ReturnType<typeof b.connections.list>>[number] | undefined;
    for (let i = 0; i < 200 && !record?.endTime; i++) {
      record = (await b.connections.list({ limit: 20 })).find((r) => r.protocol !== 'ssh' && r.targetPort === 22);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(record).toMatchObject({ endReason: 'protocol_error' });
  });
});

describe('a VM that stops answering (#13 finding 8)', () => {
  it('SIGSTOP of the session’s sshd: "not responding" within seconds; after SIGCONT the keys typed meanwhile arrive and count', async () => {
    const earlier = sshdSessions(tb, 'vm-ssh');
    const term = await client.terminal(await sshTicket(), user);
    const sessionId = String((await term.ready()).sessionId);
    await term.prompt();
    // This connection's sshd (found by its TCP connection; the bastion runs in this process): monitor and child.
    const pids = sshdServing(tb, 'vm-ssh', process.pid, earlier);
    let typed = 0;
    const type = (text: string) => ((typed += Buffer.byteLength(text)), term.input(text));
    typed += Buffer.byteLength(`PS1='bst''-ready> '\r`); // what prompt() typed

    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      const frozenAt = Date.now();
      term.text = '';
      type('echo thawed-$((6*7))\r');
      await term.until('the not-responding notice', () => term.messages.some((m) => m.type === 'vm_status' && m.responding === false), 30_000);
      console.log(`not-responding notice after ${((Date.now() - frozenAt) / 1000).toFixed(1)} s: ${JSON.stringify(term.messages.find((m) => m.type === 'vm_status'))}`);
      expect(term.text).not.toMatch(/thawed-42/);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    await term.until('the keys typed while frozen ran', () => /thawed-42\r?\n/.test(term.text), 30_000);
    await term.until('the notice cleared', () => term.messages.some((m) => m.type === 'vm_status' && m.responding === true));
    expect(term.messages.filter((m) => m.type === 'closed')).toEqual([]);
    await term.run('echo after-$((7*7))', /after-49\r?\n/);
    typed += Buffer.byteLength('echo after-$((7*7))\r');
    term.ws.close();
    const record = await waitForEndedRecord(b.connections, sessionId);
    expect(record).toMatchObject({ endReason: 'client_closed', bytesIn: typed });
  }, 90_000);
});
