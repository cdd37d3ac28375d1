import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RdpTokenResponse } from '../../packages/protocol/src/rdp-relay.js';
import { readRdpcap, RDPCAP_DIRECTION } from '../../packages/protocol/src/rdpcap.js';
import { LIVE_WATCH_ENDED, parseAsciicastLine, type AsciicastEvent, type RecordingInfo } from '../../packages/protocol/src/recordings.js';
import { AuditLog } from '../../packages/server/src/audit/audit-log.js';
import { ConnectionLog } from '../../packages/server/src/audit/connection-log.js';
import { readYamlFile, type InventoryConfig } from '../../packages/server/src/config/index.js';
import { parseConnectionConfirm } from '../../packages/server/src/gateway/rdp/x224.js';
import { RecordingStore } from '../../packages/server/src/recordings/recording-store.js';
import { createTestBastion, type TestBastion } from '../../packages/server/src/http/test-app.js';
import { openStore } from '../../packages/server/src/storage/open.js';
import type { RunningBastion } from '../helpers/bastion-process.js';
import { crashTestConfig, killMidSession } from '../helpers/crash-session.js';
import { credSspNegotiate, mcsConnectInitial, RdpRelayClient, requestPdu } from '../helpers/rdp-client.js';
import { BastionClient, type BrowserSession } from '../helpers/ssh-ws-client.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';
import { loadWebSocket, type WsCtor } from '../helpers/ws-client.js';
import { listenOnLoopback } from '../helpers/listen.js';

/**
 * Session recordings (design 0006) against the testbed: an SSH session through the browser WebSocket is
 * recorded as asciicast and can be watched live mid-session; RDP sessions through the relay are captured
 * as rdpcap (after the CredSSP phase); a bastion with enableSessionRecording off records nothing; and a
 * bastion killed with SIGKILL leaves a playable cast.
 */
const PASSWORD = 'Rec-Test-Pass-123';
let tb: TestbedInfo;
let b: TestBastion;
let client: BastionClient;
let alice: BrowserSession;
let boss: BrowserSession;
let WebSocketCtor: WsCtor;
const vmPath = (name: string): string => testbedPath(tb, 'Microsoft.Compute/virtualMachines', name);

beforeAll(async () => {
  tb = readTestbed();
  WebSocketCtor = await loadWebSocket();
  const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
  b = await createTestBastion({
    inventory,
    users: [
      { username: 'alice', password: PASSWORD },
      { username: 'boss', password: PASSWORD },
    ],
    roleAssignments: [
      { assignee: 'alice', role: 'Reader', scope: `/subscriptions/${tb.subscriptionId}` },
      { assignee: 'boss', role: 'Owner', scope: `/subscriptions/${tb.subscriptionId}` },
    ],
  });
  client = new BastionClient(await listenOnLoopback(b.app));
  alice = await client.signIn('alice', PASSWORD);
  boss = await client.signIn('boss', PASSWORD);
});

afterAll(async () => {
  await b?.dispose();
});

/** A live-watch socket: every text frame, in order, and how it closed. */
function watch(sessionId: string, who: BrowserSession, origin = client.base) {
  const state = { text: '', closeCode: undefined as number | undefined, closeReason: '', refusedStatus: undefined as number | undefined };
  const ws = new WebSocketCtor(`${client.base.replace('https:', 'wss:')}/api/recordings/${sessionId}/live`, { rejectUnauthorized: false, headers: { cookie: who.cookie, origin } });
  ws.on('message', (data) => (state.text += data.toString('utf8')));
  ws.on('close', (code) => (state.closeCode = code));
  ws.on('error', () => undefined);
  ws.on('unexpected-response', (_req, res) => {
    state.refusedStatus = res.statusCode;
    state.closeCode = -1;
  });
  return { ws, state };
}

async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Output events of a cast, joined (what a player would print). */
const outputOf = (cast: string): string =>
  cast
    .split('\n')
    .filter(Boolean)
    .map((l) => parseAsciicastLine(l))
    .filter((l): l is { kind: 'event'; event: AsciicastEvent } => l?.kind === 'event' && l.event[1] === 'o')
    .map((l) => l.event[2])
    .join('');

describe('SSH recordings', () => {
  it('records the session as asciicast and a watcher joining mid-session sees the next command', async () => {
    const { url } = await client.ticket(alice, vmPath('vm-ssh'), tb.user, { type: 'password', password: tb.password });
    const t = await client.terminal(url, alice);
    const sessionId = String((await t.ready()).sessionId);
    t.send({ type: 'resize', cols: 100, rows: 30 });
    await t.prompt();
    await t.run('echo rec-$((6*7))', /rec-42/);

    // Listed as live, and refused to a foreign Origin before the upgrade.
    const listed = JSON.parse((await client.request('GET', `/api/recordings?vm=${encodeURIComponent(vmPath('vm-ssh'))}`, { who: boss })).body) as { value: RecordingInfo[] };
    expect(listed.value[0]).toMatchObject({ sessionId, protocol: 'ssh', format: 'asciicast', live: true, status: 'recording', user: 'alice', userName: tb.user });
    const foreign = watch(sessionId, boss, 'https://evil.example');
    await until('refusal', () => foreign.state.closeCode !== undefined);
    expect(foreign.state.refusedStatus).toBe(403);
    // Reader's */read does not include recordings: alice may not watch.
    const nosy = watch(sessionId, alice);
    await until('refusal', () => nosy.state.closeCode !== undefined);
    expect(nosy.state.refusedStatus).toBe(403);

    const w = watch(sessionId, boss);
    await until('the session so far', () => w.state.text.includes('rec-42'));
    const header = parseAsciicastLine(w.state.text.split('\n')[0]!);
    expect(header).toMatchObject({ kind: 'header', header: { version: 2, width: 80, height: 24 } });
    // The watcher's frames are ignored: nothing reaches the VM.
    w.ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('echo injected-$((1+1))\r')]));
    w.ws.send('echo injected-$((1+1))\r');
    await t.run('echo live-$((7*8))', /live-56/);
    await until('the next command, live', () => outputOf(w.state.text).includes('live-56'));
    expect(outputOf(w.state.text)).not.toContain('injected-2');

    t.input('exit\r');
    await t.until('closed', () => t.closeCode !== undefined);
    await until('the watcher is told the session ended', () => w.state.closeCode !== undefined);
    expect(w.state.closeCode).toBe(LIVE_WATCH_ENDED.code);

    await until('the recording completes', () => !b.recordings.isLive(sessionId));
    const res = await client.request('GET', `/api/recordings/${sessionId}/download`, { who: boss });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${sessionId}.cast"`);
    const lines = res.body.trim().split('\n');
    const parsed = lines.map((l) => parseAsciicastLine(l));
    expect(parsed.every((p) => p !== undefined)).toBe(true);
    expect(parsed[0]).toMatchObject({ kind: 'header', header: { version: 2, env: { TERM: 'xterm-256color' }, title: `${tb.user}@vm-ssh` } });
    const events = parsed.slice(1).map((p) => (p as { event: AsciicastEvent }).event);
    expect(events.some((e) => e[1] === 'r' && e[2] === '100x30')).toBe(true);
    expect(events.some((e) => e[1] === 'i')).toBe(false); // input recording is off by default
    expect(events.map((e) => e[0])).toEqual([...events.map((e) => e[0])].sort((x, y) => x - y));
    expect(outputOf(res.body)).toMatch(/rec-42[\s\S]*live-56/);
    // What the watcher saw is the recording, line for line.
    expect(w.state.text).toBe(`${lines.join('\n')}\n`);
    const info = JSON.parse((await client.request('GET', `/api/recordings/${sessionId}`, { who: boss })).body) as RecordingInfo;
    expect(info).toMatchObject({ status: 'complete', live: false, size: Buffer.byteLength(res.body) });
    const audit = await new AuditLog(b.store.db).list({ type: 'recording.watched_live' });
    expect(audit[0]).toMatchObject({ code: 'P1002I', actor: 'boss', target: vmPath('vm-ssh'), details: { sessionId } });
  });
});

describe('per-bastion enableSessionRecording', () => {
  it('false on the bastion: an SSH session through it is not recorded; back on, the next one is', async () => {
    // Every bastion of the testbed, so the one the Connect check picks for vm-ssh is among them.
    const { inventory } = readYamlFile(tb.inventoryPath) as { inventory: InventoryConfig };
    const bastions = (inventory.bastionHosts ?? []).map((h) => `/api/subscriptions/${tb.subscriptionId}/resourceGroups/${h.resourceGroup}/providers/Microsoft.Network/bastionHosts/${h.name}`);
    const setRecording = async (on: boolean): Promise<void> => {
      for (const path of bastions) {
        const { properties } = JSON.parse((await client.request('GET', path, { who: boss })).body) as { properties: { virtualNetwork: object } };
        const res = await client.request('PUT', path, { who: boss, body: { properties: { ...properties, enableSessionRecording: on } } });
        expect(res.status, res.body).toBe(200);
      }
    };
    const session = async (): Promise<string> => {
      const { url } = await client.ticket(alice, vmPath('vm-ssh'), tb.user, { type: 'password', password: tb.password });
      const t = await client.terminal(url, alice);
      const sessionId = String((await t.ready()).sessionId);
      await t.prompt();
      t.input('exit\r');
      await t.until('closed', () => t.closeCode !== undefined);
      return sessionId;
    };
    await setRecording(false);
    try {
      const unrecorded = await session();
      expect((await client.request('GET', `/api/recordings/${unrecorded}`, { who: boss })).status).toBe(404);
    } finally {
      await setRecording(true);
    }
    const recorded = await session();
    await until('the recording completes', () => !b.recordings.isLive(recorded));
    expect((await client.request('GET', `/api/recordings/${recorded}`, { who: boss })).status).toBe(200);
  });
});

describe('RDP captures', () => {
  async function relay(vm: string): Promise<{ c: RdpRelayClient; sessionId: string }> {
    const res = await client.request('POST', `/api${vmPath(vm)}/bastionRdp`, { body: {}, who: alice });
    expect(res.status, res.body).toBe(201);
    const t = JSON.parse(res.body) as RdpTokenResponse;
    const c = new RdpRelayClient(new WebSocketCtor(t.proxyUrl, { rejectUnauthorized: false, headers: { cookie: alice.cookie, origin: client.base } }));
    await c.until('open', () => c.ws.readyState === 1 || c.closeCode !== undefined);
    c.ws.send(requestPdu(t.destination, t.token, 3));
    await c.answered();
    expect(c.response?.error).toBeUndefined();
    const rows = await b.recordings.store.list({ vm: vmPath(vm), limit: 1 });
    return { c, sessionId: rows[0]!.sessionId };
  }

  const capture = async (sessionId: string) => {
    await until('the capture completes', () => !b.recordings.isLive(sessionId));
    const res = await client.request('GET', `/api/recordings/${sessionId}/download`, { who: boss });
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${sessionId}.rdpcap"`);
    const row = (await b.recordings.store.get(sessionId))!;
    return readRdpcap(readFileSync(b.recordings.pathOf(row)));
  };

  it('xrdp (TLS): both directions from MCS Connect Initial on, timestamped, with an end record', async () => {
    const { c, sessionId } = await relay('vm-xrdp');
    const confirm = parseConnectionConfirm(c.response!.x224ConnectionPdu!);
    const selected = confirm.kind === 'accepted' ? confirm.selectedProtocol : 0;
    c.ws.send(mcsConnectInitial(selected));
    await c.until('the VM answer', () => c.after.includes(Buffer.from([0x7f, 0x66])));
    c.ws.close();
    const r = await capture(sessionId);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(JSON.parse(Buffer.from(r.header.meta).toString('utf8'))).toMatchObject({ sessionId, vm: vmPath('vm-xrdp'), user: 'alice' });
    expect(r.complete).toBe(true);
    expect(r.truncatedBytes).toBe(0);
    const c2s = r.records.filter((x) => x.direction === RDPCAP_DIRECTION.CLIENT_TO_SERVER);
    const s2c = r.records.filter((x) => x.direction === RDPCAP_DIRECTION.SERVER_TO_CLIENT);
    expect(Buffer.from(c2s[0]!.data)).toEqual(Buffer.from(mcsConnectInitial(selected)));
    expect(Buffer.concat(s2c.map((x) => x.data)).includes(Buffer.from([0x7f, 0x66]))).toBe(true);
    expect(r.records.every((x, i) => i === 0 || x.offsetMs >= r.records[i - 1]!.offsetMs)).toBe(true);
  });

  it('NLA (freerdp-shadow): the CredSSP exchange is not captured', async () => {
    const { c, sessionId } = await relay('vm-nla');
    c.ws.send(credSspNegotiate());
    await c.until('the NTLM challenge', () => c.after.includes(Buffer.from('NTLMSSP\0', 'latin1')));
    c.ws.close();
    const r = await capture(sessionId);
    expect(r.ok && r.records).toEqual([]);
    expect(r.ok && r.complete).toBe(true);
  });
});

describe('crash safety', () => {
  const started: RunningBastion[] = [];
  afterAll(async () => {
    for (const p of started) await p.stop('SIGKILL');
    if (started[0]) rmSync(started[0].dataDir, { recursive: true, force: true });
  });

  it('kill -9 mid-session leaves a cast that parses, holds the output, and is marked interrupted', async () => {
    const configYaml = crashTestConfig(tb, readFileSync(tb.inventoryPath, 'utf8'), PASSWORD);
    // settleMs: past the 100 ms batch, so the output is written as a crash would find it.
    const { dataDir, sessionId, restartExit } = await killMidSession({ tb, configYaml, password: PASSWORD, command: 'echo crash-$((6*7))', until: /crash-42/, settleMs: 300, started });
    expect(restartExit).toBe(0);

    const store = await openStore({ sqliteFile: join(dataDir, 'bastion.db') });
    try {
      const row = await new RecordingStore(store.db).get(sessionId);
      expect(row).toMatchObject({ status: 'interrupted', format: 'asciicast', end: expect.any(String) });
      const cast = readFileSync(join(dataDir, 'recordings', row!.file), 'utf8');
      expect(cast.endsWith('\n')).toBe(true);
      const lines = cast.trim().split('\n');
      expect(lines.every((l) => parseAsciicastLine(l) !== undefined)).toBe(true);
      expect(outputOf(cast)).toContain('crash-42');
      expect(row!.size).toBe(Buffer.byteLength(cast));
      expect(await new ConnectionLog(store.db).get(sessionId)).toMatchObject({ endReason: 'interrupted' });
    } finally {
      await store.close();
    }
  });
});
