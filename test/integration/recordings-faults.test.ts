import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLog } from '../../packages/server/src/audit/connection-log.js';
import { RecordingStore } from '../../packages/server/src/recordings/recording-store.js';
import { openStore } from '../../packages/server/src/storage/open.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { crashTestConfig } from '../helpers/crash-session.js';
import { BastionClient, type WsTerm } from '../helpers/ssh-ws-client.js';
import { readTestbed, testbedPath, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Recordings and connection records under faults (issue 13, findings 3, 4, 7), with the built bastion as a
 * child process, sessions to the testbed's vm-ssh, and real file systems (root): kill -9 at seeded moments
 * 0–500 ms after `ready`; a recordings folder on a 256 KiB tmpfs that fills up; a read-only one; and files a
 * crash left empty or cut, repaired at start-up. Every child is stopped by its own PID; every mount is
 * unmounted and removed in afterAll.
 */
const PASSWORD = 'Faults-Test-Pass-1';
/** sessions.persistSeconds of these bastions: live figures reach the database every 100 ms. */
const PERSIST_MS = 100;
let tb: TestbedInfo;
let inventoryConfig: string;
const children: RunningBastion[] = [];
const folders: string[] = [];
const mounts: string[] = [];

beforeAll(() => {
  tb = readTestbed();
  inventoryConfig = crashTestConfig(tb, readFileSync(tb.inventoryPath, 'utf8'), PASSWORD);
});

afterAll(async () => {
  for (const c of children) await c.stop('SIGKILL');
  for (const m of mounts) execFileSync('umount', ['-l', m], { stdio: 'ignore' });
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

function tmpfs(sizeKiB: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-rec-tmpfs-'));
  folders.push(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

async function start(extraYaml: string, dataDir?: string): Promise<RunningBastion> {
  const b = await startBastionProcess({ configYaml: `${inventoryConfig}${extraYaml}`, ...(dataDir ? { dataDir } : {}) });
  children.push(b);
  if (!dataDir) folders.push(b.dataDir);
  return b;
}

async function session(b: RunningBastion): Promise<{ t: WsTerm; sessionId: string }> {
  const client = new BastionClient(b.url);
  const reader = await client.signIn('reader', PASSWORD);
  const { url } = await client.ticket(reader, testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh'), tb.user, { type: 'password', password: tb.password });
  const t = await client.terminal(url, reader);
  return { t, sessionId: String((await t.ready()).sessionId) };
}

/** What asciinema-player needs: a v2 header first, then only whole lines that are JSON. */
function expectPlayableCast(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n'), `${path} ends with a newline`).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect((JSON.parse(lines[0]!) as { version: number }).version).toBe(2);
  for (const l of lines.slice(1)) expect(Array.isArray(JSON.parse(l)), l.slice(0, 80)).toBe(true);
  return lines;
}

async function withStore<T>(dataDir: string, fn: (s: { connections: ConnectionLog; recordings: RecordingStore }) => Promise<T>): Promise<T> {
  const store = await openStore({ sqliteFile: join(dataDir, 'bastion.db') });
  try {
    return await fn({ connections: new ConnectionLog(store.db), recordings: new RecordingStore(store.db) });
  } finally {
    await store.close();
  }
}

/** Deterministic delays (a seeded LCG): the same rounds on every run. */
function seeded(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

describe('kill -9 within 0–500 ms of ready', () => {
  it('leaves every cast playable and every row with its bytes and an end at its last-seen time', async () => {
    const yaml = `sessions:\n  persistSeconds: ${PERSIST_MS / 1000}\n`;
    const random = seeded(13);
    const rounds: Array<{ sessionId: string; killedAt: number; firstByteAt: number | undefined; delayMs: number }> = [];
    let dataDir: string | undefined;
    for (let i = 0; i < 10; i++) {
      const b = await start(yaml, dataDir); // round i+1 starts on round i's data: its start-up repairs round i
      dataDir = b.dataDir;
      const { t, sessionId } = await session(b);
      let firstByteAt: number | undefined;
      t.ws.on('message', (_d, isBinary) => void (isBinary && firstByteAt === undefined && (firstByteAt = Date.now())));
      t.input('for i in $(seq 1 20000); do echo line-$i; done\r');
      const delayMs = Math.floor(random() * 500);
      await new Promise((r) => setTimeout(r, delayMs));
      const killedAt = Date.now();
      await b.stop('SIGKILL');
      await t.until('socket closed', () => t.closeCode !== undefined, 10_000);
      rounds.push({ sessionId, killedAt, firstByteAt, delayMs });
    }
    const last = await start(yaml, dataDir);
    expect(await last.stop('SIGINT')).toBe(0);

    await withStore(dataDir!, async ({ connections, recordings }) => {
      for (const r of rounds) {
        const row = await recordings.get(r.sessionId);
        expect(row, `round at ${r.delayMs} ms`).toMatchObject({ status: 'interrupted' });
        const lines = expectPlayableCast(join(dataDir!, 'recordings', row!.file));
        expect(statSync(join(dataDir!, 'recordings', row!.file)).size).toBe(row!.size);
        expect(lines.length).toBeGreaterThanOrEqual(1);
        const record = await connections.get(r.sessionId);
        expect(record).toMatchObject({ endReason: 'interrupted', message: 'Successfully Connected.' });
        // The end is the last time the bastion saw the session alive: before the kill, by at most one
        // persistence interval (and a timer running late on a loaded machine), never the restart's time.
        const end = Date.parse(record!.endTime!);
        expect(end, `round at ${r.delayMs} ms`).toBeLessThanOrEqual(r.killedAt);
        expect(end, `round at ${r.delayMs} ms`).toBeGreaterThanOrEqual(r.killedAt - PERSIST_MS - 1000);
        // Bytes that flowed a few intervals before the kill are in the row.
        if (r.firstByteAt !== undefined && r.firstByteAt < r.killedAt - 3 * PERSIST_MS) expect(record!.bytesOut, `round at ${r.delayMs} ms`).toBeGreaterThan(0);
      }
    });
  });
});

describe('a recordings folder that fills up', () => {
  it('keeps every file playable and its index true, tells the users, and keeps the connection rows true', async () => {
    const dir = tmpfs(256);
    const b = await start(`recordings:\n  dir: ${dir}\n`);
    // Three sessions each print ~330 KiB of cast: more than the folder holds together.
    const sessions = [await session(b), await session(b), await session(b)];
    for (const [i, s] of sessions.entries()) s.t.input(`head -c 300000 /dev/zero | tr '\\0' x | fold -w 100; echo fill-done-$((${i}+1000))\r`);
    for (const [i, s] of sessions.entries()) await s.t.until(`fill-done-${i + 1000}`, () => s.t.text.includes(`fill-done-${i + 1000}`), 60_000);
    // One more once the disk is full: its header fits only if a cut-back freed a page; either way its row is true.
    const late = await session(b);
    await late.t.run('echo late-$((2*21))', /late-42/);
    const all = [...sessions, late];
    for (const s of all) s.t.input('exit\r');
    for (const s of all) await s.t.until('closed', () => s.t.closeCode !== undefined, 15_000);
    expect(await b.stop('SIGINT')).toBe(0);

    await withStore(b.dataDir, async ({ connections, recordings }) => {
      let failed = 0;
      for (const s of all) {
        const row = (await recordings.get(s.sessionId))!;
        const told = s.t.messages.find((m) => m.type === 'recording' && m.recorded === false);
        const path = join(dir, row.file);
        if (row.status === 'failed') {
          failed++;
          expect(row.error).toMatch(/ENOSPC|no space/i);
          expect(told?.message, s.sessionId).toMatch(/not being recorded/);
          if (existsSync(path)) {
            expectPlayableCast(path);
            expect(statSync(path).size).toBe(row.size);
          } else {
            expect(row).toMatchObject({ size: 0, note: expect.stringMatching(/no file was kept/) });
          }
        } else {
          expect(row.status).toBe('complete');
          expect(told).toBeUndefined();
          expectPlayableCast(path);
          expect(statSync(path).size).toBe(row.size);
        }
        const record = await connections.get(s.sessionId);
        expect(record).toMatchObject({ message: 'Successfully Connected.', endReason: 'exited' });
        expect(record!.bytesIn).toBeGreaterThan(0);
      }
      expect(failed).toBeGreaterThanOrEqual(2);
      for (const s of sessions) expect((await connections.get(s.sessionId))!.bytesOut).toBeGreaterThan(300_000);
    });
  });
});

describe('a read-only recordings folder', () => {
  it('continue: the user is told the session is not recorded; disconnect: the session is refused; rows true', async () => {
    // Read-only after the start (a start on a read-only folder is refused with its name): as a failing disk does.
    const dir = tmpfs(1024);
    const lenient = await start(`recordings:\n  dir: ${dir}\n`);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const s = await session(lenient);
    await s.t.until('recording message', () => s.t.message('recording') !== undefined);
    expect(s.t.message('recording')).toMatchObject({ recorded: false, message: expect.stringMatching(/EROFS.*not being recorded/) });
    await s.t.run('echo still-$((40+2))', /still-42/);
    s.t.input('exit\r');
    await s.t.until('closed', () => s.t.closeCode !== undefined);
    expect(await lenient.stop('SIGINT')).toBe(0);
    await withStore(lenient.dataDir, async ({ connections, recordings }) => {
      expect(await recordings.get(s.sessionId)).toMatchObject({ status: 'failed', error: expect.stringMatching(/EROFS|read-only/), size: 0 });
      expect(await connections.get(s.sessionId)).toMatchObject({ message: 'Successfully Connected.', endReason: 'exited' });
    });

    execFileSync('mount', ['-o', 'remount,rw', dir]);
    const strict = await start(`recordings:\n  dir: ${dir}\n  onFailure: disconnect\n`);
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const client = new BastionClient(strict.url);
    const reader = await client.signIn('reader', PASSWORD);
    const { url } = await client.ticket(reader, testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh'), tb.user, { type: 'password', password: tb.password });
    const t = await client.terminal(url, reader);
    await t.until('refusal', () => t.message('error') !== undefined || t.message('ready') !== undefined);
    expect(t.message('ready')).toBeUndefined();
    expect(t.message('error')).toMatchObject({ code: 'internal', message: expect.stringMatching(/EROFS.*ends sessions it cannot record/) });
    expect(await strict.stop('SIGINT')).toBe(0);
    await withStore(strict.dataDir, async ({ connections }) => {
      const [record] = await connections.list({ limit: 1 });
      expect(record).toMatchObject({ endReason: 'failed', errorCode: 'internal', message: expect.stringMatching(/EROFS/) });
    });
  });
});

describe('start-up repair', () => {
  it('an empty cast gets its header and a cast cut mid-line loses the cut line; the rows say so', async () => {
    const first = await start('');
    expect(await first.stop('SIGINT')).toBe(0);
    const vm = testbedPath(tb, 'Microsoft.Compute/virtualMachines', 'vm-ssh');
    const header = '{"version":2,"width":80,"height":24,"timestamp":1780315200,"env":{"TERM":"xterm-256color"},"title":"u@vm-ssh"}\n';
    const files = { empty: '', cut: `${header}[0.5,"o","hello\\r\\n"]\n[0.7,"o","wor` };
    // Recent (retention would delete an old one at the start before anything else).
    const startTime = new Date(Date.now() - 60_000);
    const month = `${startTime.getUTCFullYear()}/${String(startTime.getUTCMonth() + 1).padStart(2, '0')}`;
    const ids: Record<string, string> = {};
    await withStore(first.dataDir, async ({ recordings }) => {
      for (const [name, content] of Object.entries(files)) {
        const sessionId = `00000000-0000-4000-8000-00000000000${name === 'empty' ? 1 : 2}`;
        ids[name] = sessionId;
        const file = `${month}/${sessionId}.cast`;
        mkdirSync(join(first.dataDir, 'recordings', month), { recursive: true });
        writeFileSync(join(first.dataDir, 'recordings', file), content);
        await recordings.insert({ sessionId, protocol: 'ssh', format: 'asciicast', file, vm, user: 'reader', userName: 'u', start: startTime.toISOString() });
      }
    });
    const second = await start('', first.dataDir);
    expect(await second.stop('SIGINT')).toBe(0);
    await withStore(first.dataDir, async ({ recordings }) => {
      const empty = (await recordings.get(ids.empty!))!;
      const cut = (await recordings.get(ids.cut!))!;
      expect(empty).toMatchObject({ status: 'interrupted', note: expect.stringMatching(/empty.*header was written/) });
      expect(cut).toMatchObject({ status: 'interrupted', note: expect.stringMatching(/cut .*removed/) });
      expect(expectPlayableCast(join(first.dataDir, 'recordings', empty.file))).toHaveLength(1);
      expect(expectPlayableCast(join(first.dataDir, 'recordings', cut.file))).toEqual([header.trim(), '[0.5,"o","hello\\r\\n"]']);
      expect(cut.size).toBe(statSync(join(first.dataDir, 'recordings', cut.file)).size);
    });
  });
});
