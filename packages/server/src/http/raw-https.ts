import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Test helper (not used by the server): requests sent over a real TLS socket with the request target
 * exactly as given. `app.inject()` parses the URL first (it resolves `/./`, `/x/../` and turns `\` into
 * `/`), so an attacker's spellings only arrive unchanged this way.
 */
export interface RawClient {
  send(opts: { method: string; path: string; headers?: Record<string, string>; body?: unknown }): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>;
  close(): Promise<void>;
}

export async function rawClient(app: FastifyInstance): Promise<RawClient> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: false });
  return {
    send: ({ method, path, headers = {}, body }) =>
      new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(payload);
      }),
    close: async () => agent.destroy(),
  };
}
