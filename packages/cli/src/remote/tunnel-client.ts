import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { openWebSocket, type WsClient } from './api.js';
import type { Credentials } from './credentials.js';
import { tunnelPath, type TunnelDestination } from './target.js';

/** The server's WebSocket frame limit is 64 KiB: local bytes are sent in pieces well below it. */
const CHUNK = 32 * 1024;
/** Above this many bytes queued toward the bastion the local socket is paused; resumed below LOW. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

/** Close codes of the bastion's tunnel (server gateway/tunnel/tcp-relay.ts) in words. */
const CLOSE_TEXT: Record<number, string> = { 4001: 'ended by the bastion', 4002: 'the bastion could not reach the target', 1001: 'the bastion is shutting down' };

/**
 * Relays one local byte stream (a TCP connection, or stdin/stdout for ProxyCommand) over one tunnel
 * WebSocket, with back-pressure both ways. Resolves when either side ends, with the close reason.
 */
export function pipeOverWebSocket(local: { readable: Duplex | NodeJS.ReadableStream; writable: Duplex | NodeJS.WritableStream }, ws: WsClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const { readable, writable } = local;
    let done = false;
    let paused = false;
    const finish = (code: number, reason: string): void => {
      if (done) return;
      done = true;
      if (ws.readyState === 1) ws.close(1000);
      (writable as NodeJS.WritableStream).end();
      resolve({ code, reason });
    };
    const onSent = (): void => {
      if (paused && ws.bufferedAmount < LOW_WATER) {
        paused = false;
        readable.resume();
      }
    };
    readable.on('data', (data: Buffer | string) => {
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      for (let i = 0; i < buf.length; i += CHUNK) if (ws.readyState === 1) ws.send(buf.subarray(i, i + CHUNK), onSent);
      if (ws.bufferedAmount > HIGH_WATER && !paused) {
        paused = true;
        readable.pause();
      }
    });
    readable.on('end', () => finish(1000, 'local side closed'));
    readable.on('error', () => finish(1000, 'local side failed'));
    ws.on('message', (data) => {
      if (!(writable as NodeJS.WritableStream).write(data)) {
        ws.pause();
        (writable as NodeJS.WritableStream).once('drain', () => ws.resume());
      }
    });
    ws.on('close', (code, reason) => finish(code, reason.toString('utf8') || CLOSE_TEXT[code] || ''));
    ws.on('error', () => finish(1006, 'connection to the bastion failed'));
  });
}

export interface TunnelListener {
  port: number;
  tunnelId: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * `bastion tunnel`: a listener on 127.0.0.1 only (never reachable from the network), each accepted
 * connection carried over its own WebSocket to the bastion, which checks access and dials the target.
 */
export function startTunnelListener(c: Credentials, dest: TunnelDestination, localPort: number, log: (line: string) => void): Promise<TunnelListener> {
  const tunnelId = randomUUID();
  const sockets = new Set<Socket>();
  const tunnels = new Set<WsClient>();
  // noDelay: net servers leave Nagle on; each WebSocket message is written at once to the native client.
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.pause();
    openWebSocket(c, tunnelPath(dest, tunnelId)).then(
      async (ws) => {
        tunnels.add(ws);
        ws.on('close', () => tunnels.delete(ws));
        socket.on('close', () => ws.close(1000));
        const ended = pipeOverWebSocket({ readable: socket, writable: socket }, ws);
        socket.resume(); // paused while the WebSocket opened, so that no early byte was lost
        const end = await ended;
        if (end.code !== 1000) log(`tunnel connection ended: ${end.reason} (${end.code})`);
      },
      (err: Error) => {
        log(`connection refused by the bastion: ${err.message}`);
        socket.destroy();
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(localPort, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : localPort,
        tunnelId,
        server,
        close: () =>
          new Promise((r) => {
            // Stopping the tunnel ends its connections now, not after their closing handshakes.
            for (const ws of tunnels) ws.terminate();
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
