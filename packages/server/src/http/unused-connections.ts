import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Connections that never sent a request: a browser's speculative preconnect (Chromium opens one after
 * some navigations and keeps it about a minute) finishes the TLS handshake and then waits. Node's
 * server.close() does not count such a socket as idle and waits for it, so Ctrl-C with a portal tab open
 * could take a minute. They are tracked here and dropped at close; a socket leaves the set with its first
 * request or WebSocket upgrade, and from then on Fastify's close (and the live sessions' shutdown) decide.
 */
export function trackUnusedConnections(server: Server): { destroy(): void } {
  const unused = new Set<Socket>();
  // On HTTPS the request's socket is the TLS one, which 'secureConnection' hands over.
  const event = 'setSecureContext' in server ? 'secureConnection' : 'connection';
  server.on(event, (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  const used = (request: IncomingMessage): void => void unused.delete(request.socket);
  server.on('request', used);
  server.on('upgrade', used);
  return {
    destroy: () => {
      for (const socket of unused) socket.destroy();
      unused.clear();
    },
  };
}
