import type { Server, Socket } from 'node:net';
import { SERVER_CONNECTION_DEFAULTS } from '../config/defaults.js';
import type { BastionConfig } from '../config/schema.js';

/**
 * What one client may hold of the listener (issue 13): without these, raw TCP connections that never start
 * TLS were held 120 s (Node's default handshakeTimeout) and one client got 2,424 descriptors accepted.
 */
export interface ConnectionLimits {
  /** TLS must finish within this after the TCP accept (Node's https `handshakeTimeout`). */
  tlsHandshakeTimeoutMs: number;
  /**
   * After TLS, the first request's headers must arrive within this (`headersTimeout`). Node answers 408 and
   * closes; Fastify leaves requestTimeout at 0 and headersTimeout at Node's 60 s, checked every 30 s.
   */
  requestHeadersTimeoutMs: number;
  /** Open TCP connections per peer address; 0 = no limit. Behind a proxy the peer is the proxy. */
  maxConnectionsPerAddress: number;
}

/** The limits of `server.*` (seconds in the file, milliseconds here); unset keys take SERVER_CONNECTION_DEFAULTS. */
export function connectionLimitsOf(config: Pick<BastionConfig, 'server'>): ConnectionLimits {
  const s = { ...SERVER_CONNECTION_DEFAULTS, ...config.server };
  return { tlsHandshakeTimeoutMs: s.tlsHandshakeTimeoutSeconds * 1000, requestHeadersTimeoutMs: s.requestHeadersTimeoutSeconds * 1000, maxConnectionsPerAddress: s.maxConnectionsPerAddress };
}

export const CONNECTION_LIMIT_DEFAULTS: ConnectionLimits = connectionLimitsOf({ server: { host: '', port: 1, trustProxy: false } });

/**
 * Options for https.createServer (Fastify passes its `https` object through). Node enforces headersTimeout
 * only when it checks connections, every `connectionsCheckingInterval` (30 s by default): a quarter of the
 * timeout keeps the close within 25 % of it.
 */
export function serverTimeoutOptions(limits: ConnectionLimits): { handshakeTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  return {
    handshakeTimeout: limits.tlsHandshakeTimeoutMs,
    headersTimeout: limits.requestHeadersTimeoutMs,
    connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.floor(limits.requestHeadersTimeoutMs / 4))),
  };
}

export interface PerAddressLimit {
  /** Open connections of an address now (for tests and diagnostics). */
  open(address: string): number;
  /** Connections refused since the start. */
  readonly refused: number;
}

/**
 * Counts open TCP connections per peer address at the server's 'connection' event (before TLS, so a client
 * that never starts TLS counts too) and destroys those beyond `max` at once. The map holds only addresses
 * with open connections, so it is bounded by the open sockets themselves. `onRefused` is called at most once
 * a minute per address (for a log line, not per socket).
 */
export function limitConnectionsPerAddress(server: Server, max: number, onRefused?: (address: string, open: number) => void): PerAddressLimit {
  const open = new Map<string, number>();
  const reported = new Map<string, number>();
  let refused = 0;
  if (max > 0)
    // Before the TLS server's own listener: a refused socket is never wrapped in TLS.
    server.prependListener('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? '';
      const count = open.get(address) ?? 0;
      if (count >= max) {
        refused++;
        socket.on('error', () => undefined);
        socket.destroy();
        const now = Date.now();
        if (now - (reported.get(address) ?? 0) >= 60_000) {
          if (reported.size >= 1024) reported.clear();
          reported.set(address, now);
          onRefused?.(address, count);
        }
        return;
      }
      open.set(address, count + 1);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  return {
    open: (address) => open.get(address) ?? 0,
    get refused() {
      return refused;
    },
  };
}
