import type { FastifyBaseLogger, FastifyRequest } from 'fastify';

/** Query parameters whose values are credentials and must never reach a log: the SSH connect ticket. */
const SECRET_QUERY_PARAMS = ['ticket'];
const SECRET_PARAM = new RegExp(`([?&](?:${SECRET_QUERY_PARAMS.join('|')})=)[^&#]*`, 'gi');

/**
 * A shareable link's secret is a path segment (`/share/<secret>`, `/api/share/<secret>[/ssh]`): whoever
 * reads it from a log could use the link (issue #12). `/api/share/connect` names no secret.
 */
const SHARE_SECRET = /^(\/(?:api\/)?share\/)(?!connect(?:[/?#]|$))[^/?#]+/i;

/** The URL with secrets replaced by `[redacted]`: secret query parameters and share-link path secrets. */
export function redactUrl(url: string): string {
  return url.replace(SHARE_SECRET, '$1[redacted]').replace(SECRET_PARAM, '$1[redacted]');
}

/**
 * Fastify's default `req` log serializer (lib/logger-pino.js) with the URL redacted: the connect ticket
 * travels in the WebSocket URL (browsers cannot set WebSocket headers) and must not be replayable from logs.
 */
export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export const LOG_SERIALIZERS = { req: serializeRequest };

type LoggerInstance = FastifyBaseLogger & { child(bindings: object, options?: { serializers?: object }): FastifyBaseLogger };
const isInstance = (x: unknown): x is LoggerInstance => typeof (x as { child?: unknown }).child === 'function' && typeof (x as { info?: unknown }).info === 'function';

/**
 * Fastify's logging options with the redacting `req` serializer, for `true`, pino options, or a pino
 * instance (whose own serializers Fastify merges over its defaults, so a child carrying ours wins).
 */
export function withRedactedRequests(logger: boolean | object | undefined): { logger: boolean | object } | { loggerInstance: FastifyBaseLogger } {
  if (!logger) return { logger: false };
  if (isInstance(logger)) return { loggerInstance: logger.child({}, { serializers: LOG_SERIALIZERS }) };
  const options = logger === true ? {} : (logger as { serializers?: object });
  return { logger: { ...options, serializers: { ...options.serializers, ...LOG_SERIALIZERS } } };
}
