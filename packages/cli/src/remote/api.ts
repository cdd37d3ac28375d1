import { request } from 'node:https';
import type { Duplex } from 'node:stream';
import { explainTlsFailure, tlsOptions } from './tls-trust.js';
import type { Credentials } from './credentials.js';

export const USER_AGENT = 'bastion-cli';

/** The bastion's error body `{ error: { code, message } }` as one sentence. */
function errorText(status: number, body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: { message?: string; code?: string } }).error;
    if (e?.message) return e.message;
  } catch {
    // not JSON: fall through
  }
  return `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One JSON request to the bastion with the stored token (or none) and the stored TLS trust. */
export function apiRequest<T = unknown>(c: Pick<Credentials, 'url' | 'tls'> & { token?: string }, method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const req = request(
      new URL(path, c.url),
      {
        method,
        timeout: 30_000,
        ...tlsOptions(c),
        headers: { 'user-agent': USER_AGENT, accept: 'application/json', ...(payload ? { 'content-type': 'application/json' } : {}), ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 400) return reject(new ApiError(status, errorText(status, text)));
          resolve((text ? JSON.parse(text) : undefined) as T);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', (err) => {
      if ('token' in c && (c as Credentials).tls) void explainTlsFailure(c as Credentials, err).then(reject);
      else reject(err);
    });
    req.end(payload);
  });
}

/** The part of a `ws` client the CLI uses (`ws` ships no types). */
export interface WsClient {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  pause(): void;
  resume(): void;
  on(event: 'open', cb: () => void): unknown;
  on(event: 'message', cb: (data: Buffer, isBinary: boolean) => void): unknown;
  on(event: 'close', cb: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  on(event: 'unexpected-response', cb: (req: unknown, res: Duplex & { statusCode?: number; setEncoding(e: string): void }) => void): unknown;
}
type WsCtor = new (url: string, opts: object) => WsClient;
let ctor: WsCtor | undefined;

/** Opens a WebSocket to `path`; resolves once open, rejects with the bastion's HTTP error when refused. */
export async function openWebSocket(c: Credentials, path: string): Promise<WsClient> {
  // `ws` is the server's WebSocket library too (through @fastify/websocket): no second implementation.
  ctor ??= ((await import('ws' as string)) as { WebSocket: WsCtor }).WebSocket;
  const url = new URL(path, c.url);
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  const ws = new ctor(url.href, { ...tlsOptions(c), headers: { authorization: `Bearer ${c.token}`, 'user-agent': USER_AGENT }, perMessageDeflate: false, handshakeTimeout: 15_000 });
  return new Promise((resolve, reject) => {
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => reject(new ApiError(res.statusCode ?? 0, errorText(res.statusCode ?? 0, text))));
    });
    ws.on('error', (err) => void explainTlsFailure(c, err).then(reject));
  });
}
