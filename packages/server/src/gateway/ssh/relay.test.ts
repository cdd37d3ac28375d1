import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CloseReason } from '../../../../protocol/src/ssh-messages.js';
import { relaySshSession, type RelaySocket, type RelayTotals } from './relay.js';
import type { SshEndReason, SshSession } from './session.js';
import { SshError } from './errors.js';

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
  responding = true;
  unconfirmedInputBytes = 0;
  private respondingCbs: Array<(responding: boolean, silentMs: number) => void> = [];
  onResponding(cb: (responding: boolean, silentMs: number) => void): void {
    this.respondingCbs.push(cb);
  }
  /** The VM goes silent (`false`) or is heard from again. */
  setResponding(responding: boolean, silentMs = 6000): void {
    this.responding = responding;
    if (responding) this.unconfirmedInputBytes = 0;
    for (const cb of this.respondingCbs) cb(responding, silentMs);
  }
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
    this.unconfirmedInputBytes += Buffer.byteLength(data);
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

function setup(opts: { maxBufferedBytes?: number; resumeBufferedBytes?: number; controlPerSecond?: number; controlBurst?: number; now?: () => number } = {}) {
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

  it('a client that pings without reading gets one pong queued, not one per ping; the latest once it reads', () => {
    const { ws, ends } = setup({ controlPerSecond: 1e9, controlBurst: 1e9 });
    for (let t = 1; t <= 10_000; t++) ws.emit('message', Buffer.from(JSON.stringify({ type: 'ping', t })), false);
    expect(ws.controls()).toEqual([{ type: 'pong', t: 1 }]);
    ws.flush(); // the first pong left: the newest waiting one goes, the 9 998 in between were coalesced
    expect(ws.controls()).toEqual([{ type: 'pong', t: 1 }, { type: 'pong', t: 10_000 }]);
    ws.flush();
    expect(ws.controls()).toHaveLength(2);
    expect(ends).toEqual([]);
  });

  it('closes a client that floods control messages (1008, protocol_error, a sentence); a steady client is never closed', () => {
    let clock = 0;
    const steady = setup({ now: () => clock });
    for (let i = 0; i < 5000; i++) {
      clock += 25; // 40 a second, below the 50/s budget
      steady.ws.emit('message', Buffer.from(JSON.stringify({ type: 'resize', cols: 80 + (i % 2), rows: 24 })), false);
    }
    expect(steady.ends).toEqual([]);

    const flood = setup({ now: () => clock });
    let sent = 0;
    for (; sent < 100_000 && flood.ends.length === 0; sent++) flood.ws.emit('message', Buffer.from(JSON.stringify({ type: 'ping', t: sent })), false);
    expect(sent).toBe(501); // the burst of 500 passes, the next one closes
    expect(flood.ends.map((e) => e.reason)).toEqual(['protocol_error']);
    expect(flood.ws.closedWith).toBe(1008);
    expect(flood.ws.controls().at(-1)).toMatchObject({ type: 'closed', reason: 'protocol_error', message: expect.stringMatching(/too many control messages/i) });
  });

  it('acks of new bytes do not spend the control budget (a fast screen acks often)', () => {
    const { ws, session, ends } = setup({ now: () => 0 });
    for (let i = 0; i < 2000; i++) {
      session.output(10);
      ws.emit('message', Buffer.from(JSON.stringify({ type: 'ack', bytes: 10 })), false);
    }
    expect(ends).toEqual([]);
  });

  it('tells the browser when the VM stops and starts answering', () => {
    const { ws, session } = setup();
    session.setResponding(false, 6000);
    session.setResponding(true);
    expect(ws.controls()).toEqual([
      { type: 'vm_status', responding: false, message: expect.stringMatching(/^The VM is not responding \(nothing received for 6 s\)/) },
      { type: 'vm_status', responding: true, message: '' },
    ]);
  });

  it('input typed after the VM stopped answering is not counted as delivered when the session ends, and the user is told', () => {
    const { ws, session, ends } = setup();
    ws.emit('message', data('ls\r'), true);
    session.setResponding(true); // echoed: delivered
    session.setResponding(false);
    ws.emit('message', data('date\r'), true);
    session.end({ kind: 'error', error: new SshError('keepalive_timeout', 'The VM 10.0.0.1:22 stopped answering keepalives.') });
    expect(ends).toEqual([{ reason: 'keepalive_timeout', totals: { bytesIn: 3, bytesOut: 0 } }]);
    expect(ws.controls().at(-1)).toMatchObject({ type: 'closed', reason: 'keepalive_timeout', message: expect.stringMatching(/5 bytes typed after the VM stopped answering were not delivered\.$/) });
  });
});
