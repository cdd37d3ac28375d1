import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import type { TestbedInfo, TestbedVm } from '../../test/helpers/testbed.js';
import { nowMs, sleep, waitFor } from './stats.js';
import { dialNoDelay, type Term } from './terminals.js';

/**
 * Typing patterns beside the one-key-then-wait echo of terminals.ts (issue 20): a held key repeating at a
 * fixed rate whether or not the echo came back, and a non-PTY `exec` channel (`cat` echoes what it reads,
 * without a terminal's line discipline in between). Both are where a per-packet transport delay (Nagle
 * against a delayed ACK) shows most plainly.
 */

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Key repeat: `count` letters sent every `intervalMs` on a fixed schedule (not waiting for echoes), each
 * timed from its write to the first output chunk holding it. Echoes come back in order, so each output
 * byte is matched against the oldest letter still pending. Ctrl-U clears the line every 50 keys once all
 * pending echoes are in (untimed).
 */
export async function keyRepeat(term: Term, count: number, intervalMs: number, timeoutMs = 10_000): Promise<number[]> {
  const pending: { code: number; t0: number }[] = [];
  const samples: number[] = [];
  term.onData = (chunk) => {
    const now = nowMs();
    for (const byte of chunk) if (pending.length > 0 && byte === pending[0]!.code) samples.push(now - pending.shift()!.t0);
  };
  try {
    let next = nowMs();
    for (let i = 0; i < count; i++) {
      if (i % 50 === 49) {
        await waitFor('the echoes before a line clear', () => pending.length === 0 || term.ended !== undefined, timeoutMs, 1);
        term.write('\x15');
        await sleep(20);
        next = nowMs();
      }
      if (term.ended) throw new Error(`key repeat: ${term.ended}`);
      const letter = LETTERS[i % 26]!;
      pending.push({ code: letter.charCodeAt(0), t0: nowMs() });
      term.write(letter);
      next += intervalMs;
      await sleep(Math.max(0, next - nowMs()));
    }
    await waitFor('the last key-repeat echoes', () => pending.length === 0 || term.ended !== undefined, timeoutMs, 1);
    if (pending.length > 0) throw new Error(`key repeat: ${pending.length} echoes missing (${term.ended ?? 'no end'})`);
  } finally {
    term.onData = undefined;
    term.write('\x15');
  }
  return samples;
}

/**
 * ssh2 straight to the VM, running `cat` on a channel without a PTY. `noDelay` false lets ssh2 dial by
 * itself (no TCP_NODELAY, as before issue 20); true dials as the gateway does.
 */
export async function openSsh2Exec(vm: TestbedVm, tb: TestbedInfo, opts: { noDelay: boolean; timeoutMs?: number }): Promise<Term> {
  const conn = new Client();
  const term: Term & { channel?: { write(d: Buffer): boolean } } = {
    path: opts.noDelay ? 'ssh2-direct' : 'ssh2-default',
    tail: '',
    received: 0,
    ended: undefined,
    watch: undefined,
    onData: undefined,
    write: (text) => void term.channel?.write(Buffer.from(text, 'utf8')),
    close: () => conn.end(),
  };
  conn.on('ready', () => {
    conn.exec('cat', (err, channel) => {
      if (err) return void (term.ended = `exec: ${err.message}`);
      term.channel = channel;
      channel.on('data', (d: Buffer) => {
        term.received += d.length;
        term.onData?.(d);
      });
      channel.on('close', () => (term.ended ??= 'channel closed'));
    });
  });
  conn.on('error', (err) => (term.ended ??= `ssh2: ${err.message}`));
  conn.on('close', () => (term.ended ??= 'connection closed'));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const target = { host: vm.ip, port: 22, username: tb.user, privateKey: readFileSync(tb.clientKeyPath), readyTimeout: timeoutMs };
  conn.connect(opts.noDelay ? { ...target, sock: dialNoDelay(vm.ip, 22) } : target);
  await waitFor('the exec channel', () => term.channel !== undefined || term.ended !== undefined, timeoutMs, 2);
  if (!term.channel) throw new Error(`exec cat: ${term.ended ?? 'unknown'}`);
  return term;
}
