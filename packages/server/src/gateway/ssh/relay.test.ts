import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CloseReason } from '../../../../protocol/src/ssh-messages.js';
import { relaySshSession, type RelaySocket, type RelayTotals } from './relay.js';
import type { SshEndReason, SshSession } from './session.js';

/** A WebSocket whose send buffer drains only when the test says so (`flush`). */
class FakeSocket extends EventEmitter implements RelaySocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: Array<string | Uint8Array> = [];
  closedWith: number | undefined;
  private pending: Array<{ size: number; cb?: (err?: Error) => void }> = [];
  send(data: string | Uint8Array, cb?: (err?: Error) => void): void {
    this.sent.push(data);
    this.bufferedAmount += data.length;
    this.pending.push({ size: data.length, ...(cb ? { cb } : {}) });
  }
  /** Drains `frames` queued frames (all by default), calling their callbacks as `ws` does. */
  flush(frames = Infinity): void {
    for (let i = 0; i < frames && this.pending.length > 0; i++) {
      const p = this.pending.shift()!;
      this.bufferedAmount -= p.size;
      p.cb?.();
    }
  }
  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 3;
    this.emit('close', code ?? 1005, Buffer.alloc(0));
  }
  terminate(): void {
    this.close(1006);
  }
  pause(): void {}
  resume(): void {}
  controls(): Array<{ type: string; [k: string]: unknown }> {
    return this.sent.filter((s): s is string => typeof s === 'string').map((s) => JSON.parse(s) as { type: string });
  }
}

class FakeSession implements SshSession {
  readonly hostKey = { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' };
  bytesIn = 0;
  bytesOut = 0;
  unackedBytes = 0;
  maxUnackedBytes = 0;
  highWaterMark = 256 * 1024;
  closed = false;
  held = false;
  holds: boolean[] = [];
  input: Buffer[] = [];
  private data: Array<(c: Buffer) => void> = [];
  private ends: Array<(r: SshEndReason) => void> = [];
  onData(cb: (chunk: Buffer) => void): void {
    this.data.push(cb);
  }
  onClose(cb: (reason: SshEndReason) => void): void {
    this.ends.push(cb);
  }
  output(bytes: number): void {
    this.bytesIn += bytes;
    for (const cb of this.data) cb(Buffer.alloc(bytes, 0x61));
  }
  write(data: Buffer | string): boolean {
    this.input.push(Buffer.from(data));
    return true;
  }
  resize(): void {}
  ack(): void {}
  holdOutput(held: boolean): void {
    this.held = held;
    this.holds.push(held);
  }
  close(): void {
    this.end({ kind: 'closed_by_client' });
  }
  end(reason: SshEndReason): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.ends.splice(0)) cb(reason);
  }
}

const data = (text: string): Buffer => Buffer.concat([Buffer.from([0]), Buffer.from(text, 'utf8')]);

function setup(opts: { maxBufferedBytes?: number; resumeBufferedBytes?: number } = {}) {
  const ws = new FakeSocket();
  const session = new FakeSession();
  const ends: Array<{ reason: CloseReason; totals: RelayTotals }> = [];
  const relay = relaySshSession(ws, session, { ...opts, onEnd: (reason, totals) => ends.push({ reason, totals }) });
  return { ws, session, ends, relay };
}

describe('relaySshSession', () => {
  it('counts payload bytes each way and reports them once, on the end', () => {
    const { ws, session, ends, relay } = setup();
    ws.emit('message', data('ls -l\r'), true);
    ws.emit('message', data('é'), true);
    ws.emit('message', Buffer.from(JSON.stringify({ type: 'ping', t: 1 })), false);
    session.output(1000);
    session.output(70_000); // two frames on the wire, 70 000 payload bytes
    ws.flush();
    expect(relay.stats()).toMatchObject({ bytesIn: 8, bytesOut: 71_000 });
    session.end({ kind: 'exited', exitCode: 0, signal: null });
    expect(ends).toEqual([{ reason: 'exited', totals: { bytesIn: 8, bytesOut: 71_000 } }]);
    ws.emit('close', 1000, Buffer.alloc(0));
    expect(ends).toHaveLength(1);
    expect(ws.controls().at(-1)).toMatchObject({ type: 'closed', reason: 'exited' });
  });

  it('the browser leaving ends it as client_closed with the totals so far', () => {
    const { ws, session, ends } = setup();
    ws.emit('message', data('x'), true);
    session.output(10);
    ws.emit('close', 1001, Buffer.alloc(0));
    expect(ends).toEqual([{ reason: 'client_closed', totals: { bytesIn: 1, bytesOut: 10 } }]);
    expect(session.closed).toBe(true);
  });

  it('end() from the server (shutdown) says why, closes with 1001 and reports once', () => {
    const { ws, session, ends, relay } = setup();
    relay.end('server_shutdown', 'The bastion is shutting down.');
    relay.end('server_shutdown', 'again');
    expect(ws.controls()).toEqual([{ type: 'closed', reason: 'server_shutdown', message: 'The bastion is shutting down.' }]);
    expect(ws.closedWith).toBe(1001);
    expect(session.closed).toBe(true);
    expect(ends.map((e) => e.reason)).toEqual(['server_shutdown']);
  });

  it('holds VM output while the socket send buffer is above the limit, and releases it once drained', () => {
    const { ws, session, relay } = setup({ maxBufferedBytes: 100_000, resumeBufferedBytes: 20_000 });
    session.output(60_000);
    expect(session.held).toBe(false);
    session.output(60_000); // 120 000 (+ tags) queued: over the limit
    expect(session.held).toBe(true);
    ws.flush(1); // 60 001 left: still above the resume mark
    expect(session.held).toBe(true);
    ws.flush(1);
    expect(session.held).toBe(false);
    expect(session.holds).toEqual([true, false]);
    expect(relay.stats().maxBufferedAmount).toBe(120_002);
  });

  it('a client that acks what it never read cannot grow the send buffer past the limit (plus one chunk)', () => {
    const { ws, session } = setup({ maxBufferedBytes: 1024 * 1024, resumeBufferedBytes: 256 * 1024 });
    let max = 0;
    // The producer stops whenever the relay holds output; the socket never drains.
    for (let i = 0; i < 1000 && !session.held; i++) {
      session.output(32 * 1024);
      ws.emit('message', Buffer.from(JSON.stringify({ type: 'ack', bytes: 32 * 1024 })), false);
      max = Math.max(max, ws.bufferedAmount);
    }
    expect(session.held).toBe(true);
    expect(max).toBeLessThanOrEqual(1024 * 1024 + 32 * 1024 + 2);
  });

  it('an ack beyond the bytes sent is a protocol error', () => {
    const { ws, session, ends } = setup();
    session.output(10);
    ws.emit('message', Buffer.from(JSON.stringify({ type: 'ack', bytes: 11 })), false);
    expect(ends.map((e) => e.reason)).toEqual(['protocol_error']);
    expect(ws.closedWith).toBe(1002);
  });
});
