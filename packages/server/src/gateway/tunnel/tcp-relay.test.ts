import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TUNNEL_CLOSE, TUNNEL_HIGH_WATER, TunnelRelay, type TunnelEndReason } from './tcp-relay.js';
import type { GatewayWebSocket } from '../ws-socket.js';

/** A WebSocket stand-in: records what was sent, lets the test set bufferedAmount and fire events. */
class FakeWs extends EventEmitter implements GatewayWebSocket {
  readyState = 1;
  bufferedAmount = 0;
  paused = false;
  sent: Buffer[] = [];
  callbacks: Array<() => void> = [];
  closed: { code?: number; reason?: string } | undefined;
  send(data: Uint8Array, cb?: (err?: Error) => void): void {
    this.sent.push(Buffer.from(data));
    if (cb) this.callbacks.push(() => cb());
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  fromClient(data: string, binary = true): void {
    this.emit('message', Buffer.from(data), binary);
  }
}

/** A VM socket stand-in: what the relay writes comes out of `written`; `vm.push()` is VM output. */
function fakeVm() {
  const written: Buffer[] = [];
  const vm = new PassThrough();
  vm.write = ((chunk: Buffer) => (written.push(Buffer.from(chunk)), true)) as typeof vm.write;
  return { vm, written };
}

describe('TunnelRelay', () => {
  it('holds client bytes that arrive before the VM is dialled, then relays both ways and counts bytes', async () => {
    const ws = new FakeWs();
    const relay = new TunnelRelay(ws);
    ws.fromClient('SSH-2.0-client\r\n');
    const { vm, written } = fakeVm();
    const ends: Array<[TunnelEndReason, number, number]> = [];
    relay.attach(vm, (reason, s) => ends.push([reason, s.bytesIn, s.bytesOut]));
    expect(Buffer.concat(written).toString()).toBe('SSH-2.0-client\r\n');
    vm.emit('data', Buffer.from('SSH-2.0-server\r\n'));
    expect(Buffer.concat(ws.sent).toString()).toBe('SSH-2.0-server\r\n');
    vm.emit('end');
    expect(ws.closed?.code).toBe(TUNNEL_CLOSE.NORMAL);
    expect(ends).toEqual([['remote_closed', 16, 16]]);
  });

  it('pauses the VM while the WebSocket buffer is above the high-water mark, resumes after sends drain', () => {
    const ws = new FakeWs();
    const relay = new TunnelRelay(ws);
    const { vm } = fakeVm();
    relay.attach(vm, () => undefined);
    ws.bufferedAmount = TUNNEL_HIGH_WATER + 1;
    vm.emit('data', Buffer.alloc(10));
    expect(vm.isPaused()).toBe(true);
    ws.bufferedAmount = 0;
    ws.callbacks.forEach((cb) => cb());
    expect(vm.isPaused()).toBe(false);
    expect(relay.stats.maxBufferedAmount).toBe(TUNNEL_HIGH_WATER + 1);
  });

  it('pauses the WebSocket while the VM socket cannot take more', () => {
    const ws = new FakeWs();
    const relay = new TunnelRelay(ws);
    const vm = new PassThrough();
    vm.write = (() => false) as typeof vm.write; // the kernel's send buffer is full
    relay.attach(vm, () => undefined);
    ws.fromClient('more than the VM takes');
    expect(ws.paused).toBe(true);
    vm.emit('drain');
    expect(ws.paused).toBe(false);
  });

  it('a text message is a protocol error; a terminate closes with 4001 and its message; the end is reported once', () => {
    const ws = new FakeWs();
    const relay = new TunnelRelay(ws);
    const { vm } = fakeVm();
    const ends: TunnelEndReason[] = [];
    relay.attach(vm, (r) => ends.push(r));
    ws.fromClient('{"type":"hello"}', false);
    expect(ws.closed?.code).toBe(TUNNEL_CLOSE.UNSUPPORTED);
    relay.end('terminated', 'x');
    ws.emit('close');
    expect(ends).toEqual(['protocol_error']);

    const ws2 = new FakeWs();
    const relay2 = new TunnelRelay(ws2);
    relay2.attach(fakeVm().vm, () => undefined);
    relay2.end('terminated', 'An administrator disconnected this session.');
    expect(ws2.closed).toEqual({ code: TUNNEL_CLOSE.TERMINATED, reason: 'An administrator disconnected this session.' });
  });

  it('a client that leaves before the dial completes ends the tunnel as client_closed once attached', () => {
    const ws = new FakeWs();
    const relay = new TunnelRelay(ws);
    ws.emit('close');
    const { vm } = fakeVm();
    const ends: TunnelEndReason[] = [];
    relay.attach(vm, (r) => ends.push(r));
    expect(ends).toEqual(['client_closed']);
    expect(vm.destroyed).toBe(true);
  });
});
