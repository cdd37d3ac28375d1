import type { AddressInfo } from 'node:net';

/** Starts an in-process bastion (`createTestBastion().app`) on a free loopback port; answers its https:// base URL. */
export async function listenOnLoopback(app: { listen(opts: { port: number; host: string }): Promise<unknown>; server: { address(): unknown } }): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
