import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  FRAME_TAG,
  MAX_DATA_PAYLOAD,
  MAX_FRAME,
  decodeClientFrame,
  encodeDataFrame,
  encodeServerControl,
} from '../../../protocol/src/ssh-messages.js';
import { CLOSE_PROTOCOL_ERROR, SshSocket, type SshSocketEnd, type SshSocketError, type WebSocketLike } from './ssh-socket.js';

class FakeWebSocket implements WebSocketLike {
  binaryType: BinaryType = 'blob';
  readyState = 0;
  sent: (string | Uint8Array)[] = [];
  closeCalls: { code?: number; reason?: string }[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  constructor(readonly url: string) {}

  send(data: string | ArrayBufferView | ArrayBuffer): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    this.readyState = 2;
  }
  // Test drivers
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  receive(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  closedByPeer(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
  controls(): unknown[] {
    return this.sent.filter((f): f is string => typeof f === 'string').map((f) => JSON.parse(f) as unknown);
  }
}

function setup(pingIntervalMs = 1_000) {
  let ws: FakeWebSocket | undefined;
  const socket = new SshSocket('wss://bastion.test/api/ssh?ticket=t', {
    createSocket: (url) => (ws = new FakeWebSocket(url)),
    now: () => 42.5,
    pingIntervalMs,
  });
  const events: { data: Uint8Array[]; errors: SshSocketError[]; ends: SshSocketEnd[]; ready: unknown[]; notices: string[] } = {
    data: [],
    errors: [],
    ends: [],
    ready: [],
    notices: [],
  };
  socket.on('data', (d) => events.data.push(d));
  socket.on('error', (e) => events.errors.push(e));
  socket.on('closed', (e) => events.ends.push(e));
  socket.on('ready', (r) => events.ready.push(r));
  socket.on('notice', (n) => events.notices.push(n));
  if (!ws) throw new Error('factory not called');
  return { socket, ws, events };
}

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;
const ready = encodeServerControl({ type: 'ready', sessionId: 's1', hostKey: { fingerprint: 'SHA256:abc', keyType: 'ssh-ed25519', status: 'new' } });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SshSocket', () => {
  it('opens an arraybuffer socket to the URL and sends the pending size once ready (the server reads nothing before)', () => {
    const { socket, ws } = setup();
    expect(ws.url).toBe('wss://bastion.test/api/ssh?ticket=t');
    expect(ws.binaryType).toBe('arraybuffer');
    socket.resize(120, 40);
    expect(ws.sent).toEqual([]);
    ws.open();
    expect(socket.state).toBe('open');
    expect(socket.sendInput('early')).toBe(false);
    expect(ws.sent).toEqual([]);
    ws.receive(ready);
    expect(socket.state).toBe('ready');
    expect(ws.controls()).toEqual([{ type: 'resize', cols: 120, rows: 40 }]);
    socket.resize(120, 40); // unchanged: not resent
    socket.resize(5000, 0.2); // clamped to the protocol's bounds
    expect(ws.controls()).toEqual([
      { type: 'resize', cols: 120, rows: 40 },
      { type: 'resize', cols: 1000, rows: 1 },
    ]);
    socket.dispose();
  });

  it('decodes ready, data (UTF-8 bytes untouched), notice and pong', () => {
    const { socket, ws, events } = setup();
    ws.open();
    ws.receive(ready);
    expect(socket.state).toBe('ready');
    expect(events.ready).toEqual([{ type: 'ready', sessionId: 's1', hostKey: { fingerprint: 'SHA256:abc', keyType: 'ssh-ed25519', status: 'new' } }]);
    const euro = new Uint8Array([0xe2, 0x82, 0xac, 0x0a]);
    ws.receive(toArrayBuffer(encodeDataFrame(euro)));
    ws.receive(encodeServerControl({ type: 'notice', message: 'Recording is on.' }));
    ws.receive(encodeServerControl({ type: 'pong', t: 1 }));
    expect(events.data.map((d) => [...d])).toEqual([[0xe2, 0x82, 0xac, 0x0a]]);
    expect(events.notices).toEqual(['Recording is on.']);
    expect(events.errors).toEqual([]);
    socket.dispose();
  });

  it('reports a session that is not being recorded, apart from notices', () => {
    const { socket, ws, events } = setup();
    const notRecorded: string[] = [];
    socket.on('notRecorded', (m) => notRecorded.push(m));
    ws.open();
    ws.receive(ready);
    ws.receive(encodeServerControl({ type: 'recording', recorded: false, message: 'This session is not being recorded (ENOSPC).' }));
    ws.receive(encodeServerControl({ type: 'notice', message: '' }));
    expect(notRecorded).toEqual(['This session is not being recorded (ENOSPC).']);
    expect(events.notices).toEqual(['']);
    expect(events.errors).toEqual([]);
    socket.dispose();
  });

  it('reports a server error as the end reason when the socket then closes', () => {
    const { socket, ws, events } = setup();
    ws.open();
    ws.receive(encodeServerControl({ type: 'error', code: 'auth_failed', message: 'Authentication failed.' }));
    expect(events.errors).toEqual([{ code: 'auth_failed', message: 'Authentication failed.' }]);
    ws.closedByPeer(1000);
    expect(events.ends).toEqual([{ reason: 'auth_failed', message: 'Authentication failed.' }]);
    expect(socket.state).toBe('closed');
  });

  it('ends once on a closed message and closes the socket normally', () => {
    const { ws, events } = setup();
    ws.open();
    ws.receive(ready);
    ws.receive(encodeServerControl({ type: 'closed', reason: 'exited', message: 'The shell exited with status 0.' }));
    expect(ws.closeCalls).toEqual([{ code: 1000, reason: 'session closed' }]);
    ws.closedByPeer(1000);
    expect(events.ends).toEqual([{ reason: 'exited', message: 'The shell exited with status 0.' }]);
    expect(events.errors).toEqual([]);
  });

  it('reports a dropped connection', () => {
    const { ws, events } = setup();
    ws.open();
    ws.closedByPeer(1006);
    expect(events.ends).toEqual([{ reason: 'connection_lost', message: 'The connection to the bastion was lost (code 1006).' }]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    ['an unknown binary tag', toArrayBuffer(new Uint8Array([0x07, 1, 2]))],
    ['an empty binary frame', new ArrayBuffer(0)],
    ['an oversized binary frame', new ArrayBuffer(MAX_FRAME + 1)],
    ['invalid JSON', '{"type":'],
    ['an unknown message type', '{"type":"shell"}'],
    ['an unknown field', '{"type":"pong","t":1,"x":2}'],
    ['a client message', '{"type":"ack","bytes":1}'],
    ['a Blob-like object', { size: 3 }],
  ])('closes with a clear error on %s', (_name, frame) => {
    const { socket, ws, events } = setup();
    ws.open();
    ws.receive(ready);
    ws.receive(frame);
    expect(events.errors).toHaveLength(1);
    expect(events.errors[0]?.code).toBe('protocol_error');
    expect(events.errors[0]?.message).toMatch(/^The bastion sent a malformed message: .+\.$/);
    expect(events.ends).toEqual([{ reason: 'protocol_error', message: events.errors[0]?.message }]);
    expect(ws.closeCalls).toEqual([{ code: CLOSE_PROTOCOL_ERROR, reason: 'protocol error' }]);
    expect(socket.state).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
    // Nothing after the failure reaches the listeners, and the later close event is not a second end.
    ws.receive(toArrayBuffer(encodeDataFrame(new Uint8Array([0x41]))));
    ws.closedByPeer(1006);
    expect(events.data).toEqual([]);
    expect(events.ends).toHaveLength(1);
  });

  it('sends input as binary data frames chunked to MAX_DATA_PAYLOAD', () => {
    const { socket, ws } = setup();
    expect(socket.sendInput('ls\r')).toBe(false); // not open yet: dropped
    ws.open();
    ws.receive(ready);
    expect(socket.sendInput('')).toBe(false);
    expect(socket.sendInput('é€😀')).toBe(true);
    const big = 'x'.repeat(MAX_DATA_PAYLOAD * 2 + 10);
    socket.sendInput(big);
    const frames = ws.sent.filter((f): f is Uint8Array => typeof f !== 'string');
    expect(frames.map((f) => f.length)).toEqual([1 + 2 + 3 + 4, MAX_FRAME, MAX_FRAME, 11]);
    for (const frame of frames) {
      expect(frame[0]).toBe(FRAME_TAG.DATA);
      expect(decodeClientFrame(frame).ok).toBe(true);
    }
    expect([...(frames[0] ?? new Uint8Array()).subarray(1)]).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
    const payload = frames.slice(1).reduce((n, f) => n + f.length - 1, 0);
    expect(payload).toBe(big.length);
    socket.dispose();
  });

  it('sends raw bytes (xterm onBinary) without re-encoding them', () => {
    const { socket, ws } = setup();
    ws.open();
    ws.receive(ready);
    expect(socket.sendBytes(new Uint8Array([0x1b, 0x5b, 0x4d, 0xff]))).toBe(true);
    expect(ws.sent.map((f) => (typeof f === 'string' ? f : [...f]))).toEqual([[0x00, 0x1b, 0x5b, 0x4d, 0xff]]);
    socket.dispose();
  });

  it('sends acks and pings as valid control messages', () => {
    const { socket, ws } = setup(1_000);
    ws.open();
    ws.receive(ready);
    socket.ack(0); // nothing to acknowledge: not sent
    socket.ack(32_768);
    vi.advanceTimersByTime(2_000);
    expect(ws.controls()).toEqual([
      { type: 'ack', bytes: 32_768 },
      { type: 'ping', t: 42.5 },
      { type: 'ping', t: 42.5 },
    ]);
    for (const f of ws.sent) expect(decodeClientFrame(f).ok).toBe(true);
    socket.dispose();
  });

  it('dispose closes the socket, stops the ping timer and silences events', () => {
    const { socket, ws, events } = setup(1_000);
    ws.open();
    ws.receive(ready);
    expect(vi.getTimerCount()).toBe(1);
    socket.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(ws.closeCalls).toEqual([{ code: 1000, reason: 'client closed' }]);
    expect(ws.onmessage).toBeNull();
    expect(ws.onclose).toBeNull();
    expect(socket.state).toBe('closed');
    expect(socket.sendInput('x')).toBe(false);
    socket.dispose(); // idempotent
    expect(ws.closeCalls).toHaveLength(1);
    vi.advanceTimersByTime(10_000);
    expect(ws.sent).toEqual([]);
    expect(events.ends).toEqual([]);
  });

  it('dispose before open closes the connecting socket and starts no timer', () => {
    const { socket, ws } = setup();
    socket.dispose();
    expect(ws.closeCalls).toEqual([{ code: 1000, reason: 'client closed' }]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
