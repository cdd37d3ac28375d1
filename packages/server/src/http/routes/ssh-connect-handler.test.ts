import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './ssh-connect-handler.js';

const request = (ip: string, peer: string | undefined, port: number | undefined) => ({ ip, socket: { remoteAddress: peer, remotePort: port } }) as unknown as FastifyRequest;

describe('clientAddressOf', () => {
  it('gives the TCP peer and its port for a direct client', () => {
    expect(clientAddressOf(request('192.0.2.10', '192.0.2.10', 51234))).toEqual({ ip: '192.0.2.10', port: 51234 });
  });

  it("behind a trusted proxy gives the forwarded address and no port (the peer's port is the proxy's)", () => {
    expect(clientAddressOf(request('203.0.113.5', '10.0.0.2', 40000))).toEqual({ ip: '203.0.113.5', port: null });
  });

  it('gives no port when the socket has none', () => {
    expect(clientAddressOf(request('192.0.2.10', '192.0.2.10', undefined))).toEqual({ ip: '192.0.2.10', port: null });
  });
});
