import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decodeRdCleanPath, encodeRdCleanPath, RDCLEANPATH_LIMITS, RDCLEANPATH_VERSION } from './rdcleanpath.js';
import { rdpErrors } from './errors.js';
import type { GatewayWebSocket } from '../ws-socket.js';
import { RDP_HIGH_WATER, RdpClientStream } from './relay.js';
import { connectionRequest } from './x224.js';

/** A fake `ws` socket: records what is sent; `bufferedAmount` is set by the test; `emit` plays the browser. */
class FakeWs extends EventEmitter implements GatewayWebSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: Buffer[] = [];
  callbacks: Array<() => void> = [];
  paused = false;
  closed: number | undefined;
  send(data: Uint8Array, cb?: (err?: Error) => void): void {
    this.sent.push(Buffer.from(data));
    if (cb) this.callbacks.push(() => cb());
  }
  close(code?: number): void {
    this.closed = code;
    this.readyState = 3;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  binary(b: Uint8Array): void {
    this.emit('message', Buffer.from(b), true);
  }
}

/** The VM side: a duplex whose writes can be made to report back-pressure. */
class FakeVm extends Duplex {
  written: Buffer[] = [];
  full = false;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.written.push(chunk);
    cb();
  }
  override write(chunk: Buffer): boolean {
    super.write(chunk);
    return !this.full;
  }
}

const request = encodeRdCleanPath({ version: RDCLEANPATH_VERSION, destination: '10.0.0.5:3389', proxyAuth: 't', x224ConnectionPdu: connectionRequest(3) });

describe('RdpClientStream', () => {
  it('assembles the request from several binary messages', async () => {
    const ws = new FakeWs();
    const s = new RdpClientStream(ws);
    ws.binary(request.subarray(0, 5));
    const pending = s.readRequest();
    ws.binary(request.subarray(5));
    await expect(pending).resolves.toMatchObject({ destination: '10.0.0.5:3389', proxyAuth: 't' });
  });

  it.each([
    ['a text message', (ws: FakeWs) => ws.emit('message', Buffer.from('hi'), false), 'text'],
    ['bytes after the PDU', (ws: FakeWs) => ws.binary(new Uint8Array([...request, 0])), 'after the request'],
    ['a PDU claiming more than the cap', (ws: FakeWs) => ws.binary(new Uint8Array([0x30, 0x83, 0x10, 0, 0])), 'exceeds'],
    ['a response instead of a request', (ws: FakeWs) => ws.binary(encodeRdCleanPath({ version: RDCLEANPATH_VERSION, serverAddr: 'x' })), 'not a request'],
  ])('refuses %s', async (_name, act, message) => {
    const ws = new FakeWs();
    const s = new RdpClientStream(ws);
    const pending = s.readRequest();
    act(ws);
    await expect(pending).rejects.toMatchObject({ kind: 'bad_request', message: expect.stringContaining(message) });
    s.refuse(rdpErrors.badRequest('x'));
    expect(decodeRdCleanPath(ws.sent[0]!, RDCLEANPATH_LIMITS.RESPONSE)).toMatchObject({ ok: true, value: { error: { errorCode: 1, httpStatus: 400 } } });
    expect(ws.closed).toBe(1000);
  });

  it('times out a request that never completes', async () => {
    const ws = new FakeWs();
    const s = new RdpClientStream(ws);
    ws.binary(request.subarray(0, 3));
    await expect(s.readRequest(30)).rejects.toMatchObject({ message: expect.stringContaining('no complete request') });
  });

  it('relays both ways with back-pressure: pauses the VM on a full browser buffer, the browser on a full VM socket', async () => {
    const ws = new FakeWs();
    const vm = new FakeVm();
    const s = new RdpClientStream(ws);
    ws.binary(request);
    await s.readRequest();
    const ends: string[] = [];
    s.relay(new Uint8Array([1, 2, 3]), vm, (r) => ends.push(r));
    expect(ws.sent[0]).toEqual(Buffer.from([1, 2, 3]));

    ws.binary(new Uint8Array([9, 9]));
    expect(Buffer.concat(vm.written)).toEqual(Buffer.from([9, 9]));
    vm.full = true;
    ws.binary(new Uint8Array([8]));
    expect(ws.paused).toBe(true);
    vm.emit('drain');
    expect(ws.paused).toBe(false);

    ws.bufferedAmount = RDP_HIGH_WATER + 1;
    vm.push(Buffer.alloc(100));
    await new Promise((r) => setImmediate(r));
    expect(vm.isPaused()).toBe(true);
    ws.bufferedAmount = 0;
    ws.callbacks.forEach((cb) => cb());
    expect(vm.isPaused()).toBe(false);
    expect(s.stats).toMatchObject({ bytesIn: 3, bytesOut: 100 });

    ws.emit('close');
    expect(ends).toEqual(['client_closed']);
    expect(vm.destroyed).toBe(true);
  });

  it('ends once when the VM closes', async () => {
    const ws = new FakeWs();
    const vm = new FakeVm();
    const s = new RdpClientStream(ws);
    ws.binary(request);
    await s.readRequest();
    const ends: string[] = [];
    s.relay(new Uint8Array([1]), vm, (r) => ends.push(r));
    vm.destroy();
    await new Promise((r) => setImmediate(r));
    ws.emit('close');
    expect(ends).toEqual(['remote_closed']);
    expect(ws.closed).toBe(1000);
  });
});
