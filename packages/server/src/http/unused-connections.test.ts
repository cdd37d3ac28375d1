import { connect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestBastion, type TestBastion } from './test-app.js';

/**
 * Stopping the bastion with a browser open: a connection that finished its TLS handshake and never sent
 * a request (Chromium's speculative preconnect) must not hold the close up until the browser drops it.
 */
let b: TestBastion | undefined;
afterEach(async () => {
  await b?.dispose();
  b = undefined;
});

const openTls = (port: number): Promise<TLSSocket> =>
  new Promise((resolve, reject) => {
    // The test's own self-signed certificate, on loopback.
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => resolve(socket));
    socket.on('error', reject);
  });

describe('close with connections that never sent a request', () => {
  it('closes them and finishes, while a connection that made a request ends as usual', async () => {
    b = await createTestBastion();
    await b.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (b.app.server.address() as { port: number }).port;
    const preconnect = await openTls(port);
    const closed = new Promise<void>((resolve) => preconnect.once('close', () => resolve()));
    preconnect.on('error', () => undefined);
    const used = await openTls(port);
    used.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const answer = await new Promise<string>((resolve) => used.once('data', (d: Buffer) => resolve(d.toString())));
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    const usedClosed = new Promise<void>((resolve) => used.once('close', () => resolve()));
    used.on('error', () => undefined);

    await b.close();
    await closed;
    await usedClosed;
    expect(preconnect.destroyed).toBe(true);
  });
});
