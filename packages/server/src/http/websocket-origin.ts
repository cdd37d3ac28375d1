import type { FastifyRequest } from 'fastify';
import { BastionError } from '../errors.js';

export interface WebSocketOriginOptions {
  /** A bearer token cannot be attached by a foreign page (the CLI sends no Origin): let it through. */
  allowApiToken?: boolean;
  /** Called with the refusal message before the error is thrown (routes that audit the refusal). */
  onRefused?: (message: string, origin: string | null) => Promise<unknown>;
}

/**
 * The CSRF defence for WebSockets, run in a route's preValidation/preHandler: the upgrade's Origin must be
 * the bastion's own, or the request is refused with BST_ERR_ORIGIN.
 */
export async function checkWebSocketOrigin(request: FastifyRequest, allowedOrigins: (request: FastifyRequest) => string[], opts: WebSocketOriginOptions = {}): Promise<void> {
  if (opts.allowApiToken && request.apiToken) return;
  const origin = request.headers.origin;
  if (origin !== undefined && allowedOrigins(request).includes(origin)) return;
  const message = `Cross-origin WebSocket from ${origin ?? '(no Origin)'} refused.`;
  await opts.onRefused?.(message, origin ?? null);
  throw new BastionError('BST_ERR_ORIGIN', message);
}
