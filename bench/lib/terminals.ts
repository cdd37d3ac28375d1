import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { Client } from 'ssh2';
import { MAX_FRAME } from '../../packages/protocol/src/ssh-messages.js';
import type { TestbedInfo, TestbedVm } from '../../test/helpers/testbed.js';
import type { Gateway } from './gateway.js';
import { nowMs, waitFor } from './stats.js';

/**
 * One interactive shell, whatever carries it: Bastion's browser-SSH WebSocket (spoken exactly as the web
 * client does: binary `0x00 | bytes` frames, JSON `ack` for every output frame) or ssh2 straight to the
 * VM. Measurements (echo, bulk, prompt) are written once against this shape, so both paths are timed by
 * the same code; OpenSSH's `ssh` is driven from a PTY by openssh_pty.py instead.
 */
export interface Term {
  readonly path: 'bastion' | 'ssh2-direct' | 'ssh2-default';
  /** Sends keystrokes (UTF-8). */
  write(text: string): void;
  /** Called with every output chunk, after `tail` and `received` are updated. */
  onData: ((chunk: Buffer) => void) | undefined;
  /** The last 4 KiB of output, latin1. */
  tail: string;
  received: number;
  /** Set when the connection ended (with the reason). */
  ended: string | undefined;
  /** Output to watch for: `at` is stamped the moment it shows (polling only decides when we go on). */
  watch: { pattern: RegExp; at?: number } | undefined;
  close(): void;
}

export interface ConnectTimings {
  /** POST …/bastionSsh (ticket, with the Connect check); 0 for direct paths */
  ticketMs: number;
  /** WebSocket open (the upgrade, with the access check again) / TCP + SSH handshake for direct */
  openMs: number;
  /** `ready` from the bastion (VM connected, PTY open) / shell channel open for direct */
  readyMs: number;
  firstByteMs: number;
  promptMs: number;
}

// The prompt ends in "$ " (bash may add an erase-line after it when it redraws).
const PROMPT = /\$ (?:\x1b\[K)?$/;
const TAIL = 4096;

function feed(t: Term, chunk: Buffer): void {
  t.received += chunk.length;
  t.tail = (t.tail + chunk.toString('latin1')).slice(-TAIL);
  if (t.watch && t.watch.at === undefined && t.watch.pattern.test(t.tail)) t.watch.at = nowMs();
  t.onData?.(chunk);
}

// `ws` (a dependency of @fastify/websocket) ships without types: the members used here.
interface WsLike {
  readyState: number;
  on(event: 'open', cb: () => void): void;
  on(event: 'message', cb: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'close', cb: (code: number) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  on(event: 'unexpected-response', cb: (req: unknown, res: { statusCode?: number }) => void): void;
  send(data: string | Uint8Array): void;
  terminate(): void;
}
let WsCtor: (new (url: string, opts: object) => WsLike) | undefined;

/** Ticket → WebSocket → ready → first prompt, with the time of each step since the ticket request. */
export async function openBastion(gw: Gateway, vm: TestbedVm, tb: TestbedInfo, auth: unknown, timeoutMs = 30_000): Promise<{ term: Term; timings: ConnectTimings }> {
  WsCtor ??= ((await import('ws' as string)) as { WebSocket: new (url: string, opts: object) => WsLike }).WebSocket;
  const t0 = nowMs();
  const { url } = await gw.client.ticket(gw.session, gw.vmPath(vm.name), tb.user, auth);
  const ticketMs = nowMs() - t0;
  const ws = new WsCtor(`${gw.url.replace('https:', 'wss:')}${url}`, { rejectUnauthorized: false, headers: { cookie: gw.session.cookie, origin: gw.url }, maxPayload: MAX_FRAME, perMessageDeflate: false });
  const timings: ConnectTimings = { ticketMs, openMs: NaN, readyMs: NaN, firstByteMs: NaN, promptMs: NaN };
  const ack = { type: 'ack', bytes: 0 };
  const term: Term = {
    path: 'bastion',
    tail: '',
    received: 0,
    ended: undefined,
    watch: { pattern: PROMPT },
    onData: undefined,
    write: (text) => ws.readyState === 1 && ws.send(Buffer.concat([Buffer.of(0), Buffer.from(text, 'utf8')])),
    close: () => {
      clearInterval(keepalive);
      ws.terminate();
    },
  };
  // The web client pings every 20 s; without it the bastion closes a session after 60 s of silence
  // (keepalive_timeout), which idle sessions would hit while a 1000-session ramp is still connecting.
  const keepalive = setInterval(() => ws.readyState === 1 && ws.send(JSON.stringify({ type: 'ping', t: Date.now() })), 20_000);
  keepalive.unref();
  ws.on('open', () => (timings.openMs = nowMs() - t0));
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const m = JSON.parse(data.toString('utf8')) as { type: string; code?: string; message?: string; reason?: string };
      if (m.type === 'ready') timings.readyMs = nowMs() - t0;
      else if (m.type === 'error' || m.type === 'closed') term.ended = `${m.type}: ${m.code ?? m.reason ?? ''} ${m.message ?? ''}`;
      return;
    }
    if (Number.isNaN(timings.firstByteMs)) timings.firstByteMs = nowMs() - t0;
    feed(term, data.subarray(1)); // first: echo times are stamped on arrival, before the ack's own cost
    // As the web client does once xterm has written the frame: acknowledge its payload bytes.
    ack.bytes = data.length - 1;
    ws.send(JSON.stringify(ack));
  });
  ws.on('close', (code) => {
    clearInterval(keepalive);
    term.ended ??= `websocket closed (${code})`;
  });
  ws.on('error', (err) => (term.ended ??= `websocket error: ${err.message}`));
  ws.on('unexpected-response', (_req, res) => (term.ended ??= `upgrade refused: HTTP ${res.statusCode}`));
  timings.promptMs = (await promptOrEnd(term, timeoutMs)) - t0;
  return { term, timings };
}

/**
 * TCP to the VM with TCP_NODELAY, as the gateway dials (packages/server/src/gateway/ssh/connect.ts). Written
 * out here rather than imported so that the baseline does not change with the code under test. ssh2 left
 * to dial by itself never sets TCP_NODELAY: without its native binding that costs ~40 ms per packet sent
 * (issue 20), which is what the `ssh2-default` path of the typing scenario shows.
 */
export function dialNoDelay(host: string, port: number): Socket {
  const sock = new Socket();
  sock.setNoDelay(true);
  return sock.connect({ host, port });
}

/** The cipher ssh2 negotiated on the last direct connection (client → server), for the report. */
export let lastCipher: string | undefined;

/** ssh2 straight to the VM (what the gateway itself does, minus the WebSocket and the bastion's checks). */
export async function openSsh2Direct(vm: TestbedVm, tb: TestbedInfo, timeoutMs = 30_000): Promise<{ term: Term; timings: ConnectTimings }> {
  const t0 = nowMs();
  const timings: ConnectTimings = { ticketMs: 0, openMs: NaN, readyMs: NaN, firstByteMs: NaN, promptMs: NaN };
  const conn = new Client();
  const term: Term & { channel?: { write(d: Buffer): boolean } } = {
    path: 'ssh2-direct',
    tail: '',
    received: 0,
    ended: undefined,
    watch: { pattern: PROMPT },
    onData: undefined,
    write: (text) => void term.channel?.write(Buffer.from(text, 'utf8')),
    close: () => conn.end(),
  };
  conn.on('ready', () => {
    timings.openMs = nowMs() - t0;
    conn.shell({ term: 'xterm-256color', cols: 80, rows: 24 }, (err, channel) => {
      if (err) return void (term.ended = `shell: ${err.message}`);
      timings.readyMs = nowMs() - t0;
      term.channel = channel;
      channel.on('data', (d: Buffer) => {
        if (Number.isNaN(timings.firstByteMs)) timings.firstByteMs = nowMs() - t0;
        feed(term, d);
      });
      channel.on('close', () => (term.ended ??= 'channel closed'));
    });
  });
  conn.on('error', (err) => (term.ended ??= `ssh2: ${err.message}`));
  conn.on('close', () => (term.ended ??= 'connection closed'));
  conn.on('handshake', (n) => (lastCipher = n.cs.cipher));
  conn.connect({ host: vm.ip, port: 22, sock: dialNoDelay(vm.ip, 22), username: tb.user, privateKey: readFileSync(tb.clientKeyPath), readyTimeout: timeoutMs });
  timings.promptMs = (await promptOrEnd(term, timeoutMs)) - t0;
  return { term, timings };
}

/** Resolves with the time the first prompt showed (the term watches for it from its creation). */
async function promptOrEnd(term: Term, timeoutMs: number): Promise<number> {
  await waitFor('the shell prompt', () => term.watch?.at !== undefined || term.ended !== undefined, timeoutMs, 2);
  const at = term.watch?.at;
  term.watch = undefined;
  if (at === undefined) {
    term.close();
    throw new Error(`no prompt: ${term.ended ?? 'unknown'}`);
  }
  return at;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Keystroke echo latency: one lowercase letter at a time, timed from the write to the output chunk that
 * contains it (event-driven, no polling delay). Letters cycle so a late echo is never taken for the next;
 * Ctrl-U clears the line every 50 keystrokes (its redraw holds no lowercase letters) and is not timed.
 */
export async function echoLatencies(term: Term, count: number, opts: { timeoutMs?: number; gapMs?: number } = {}): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 50 === 49) {
      term.write('\x15');
      await new Promise((r) => setTimeout(r, 20));
    }
    samples.push(await echoOnce(term, LETTERS[i % 26]!, opts.timeoutMs ?? 10_000));
    if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
  }
  term.write('\x15');
  return samples;
}

/** One keystroke's echo time in ms; rejects on timeout or a closed session. */
export function echoOnce(term: Term, letter: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const code = letter.charCodeAt(0);
    const timer = setTimeout(() => {
      term.onData = undefined;
      reject(new Error(`no echo of "${letter}" within ${timeoutMs} ms${term.ended ? ` (${term.ended})` : ''}`));
    }, timeoutMs);
    const t0 = nowMs();
    term.onData = (chunk) => {
      if (!chunk.includes(code)) return;
      const ms = nowMs() - t0;
      clearTimeout(timer);
      term.onData = undefined;
      resolve(ms);
    };
    term.write(letter);
  });
}

/** Runs `command` (which must print a lot) and times its output until an end marker: bytes and seconds. */
export async function bulkOutput(term: Term, command: string, timeoutMs: number): Promise<{ bytes: number; seconds: number }> {
  const start = term.received;
  // The quotes split the marker on the echoed command line, so only the shell's output shows it whole.
  const done: { pattern: RegExp; at?: number } = { pattern: /BSTDONE/ };
  term.watch = done;
  const t0 = nowMs();
  term.write(`${command}; echo BST''DONE\r`);
  await waitFor('the end of the bulk output', () => done.at !== undefined || term.ended !== undefined, timeoutMs, 5);
  term.watch = undefined;
  if (done.at === undefined) throw new Error(`bulk output: ${term.ended}`);
  const seconds = (done.at - t0) / 1000;
  await waitFor('the prompt after the bulk output', () => PROMPT.test(term.tail), 10_000, 2);
  return { bytes: term.received - start, seconds };
}
