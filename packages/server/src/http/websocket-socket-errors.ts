import type { FastifyRequest } from 'fastify';

/**
 * @fastify/websocket's `errorHandler`: what to do when an open WebSocket emits 'error'. The plugin's default
 * terminates the socket at once. For a protocol error from the peer (an oversized, unmasked or invalid
 * UTF-8 frame: ws codes WS_ERR_*), ws has just queued a close frame with the right code (1009, 1002, 1007)
 * and ends the connection itself once the peer answers or after its close timeout; terminating now
 * destroys the TLS socket before that frame is flushed, so the client saw 1006 instead (found by the
 * WebSocket fuzz suite). Any other error still terminates the socket.
 */
export function onWebSocketError(error: Error, socket: { terminate(): void }, request: FastifyRequest): void {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
    request.log.info({ code, message: error.message }, 'WebSocket protocol error from the client; closing');
    return;
  }
  request.log.error({ err: error }, 'WebSocket error');
  socket.terminate();
}
