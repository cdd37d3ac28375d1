import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BastionError, ERROR_CATALOGUE, type ErrorCode } from '../../errors.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { validationMessage } from './validation-messages.js';

const send = (reply: FastifyReply, code: ErrorCode, message: string, headers: Record<string, string> = {}): FastifyReply =>
  reply
    .code(ERROR_CATALOGUE[code].status)
    .headers(headers)
    .send({ error: { code, message, statusCode: ERROR_CATALOGUE[code].status } });

/** Turns every failure into `{ error: { code, message, statusCode } }`; unknown errors are logged, never shown. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | BastionError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof BastionError) return send(reply, err.code, err.message, err.headers);
    const fe = err as FastifyError;
    if (fe.validation) {
      // One sentence a person reads in the portal (the first problem), not Ajv's wording.
      return send(reply, 'BST_ERR_VALIDATION', validationMessage(fe.validationContext, fe.validation));
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (fe.statusCode === 400 && err instanceof SyntaxError))
      return send(reply, 'BST_ERR_BAD_JSON', 'The request body is not valid JSON.');
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, 'BST_ERR_PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return send(reply, 'BST_ERR_VALIDATION', 'Send JSON (Content-Type: application/json).');
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return send(reply, 'BST_ERR_VALIDATION', fe.message);
    request.log.error({ err }, 'unhandled error');
    return send(reply, 'BST_ERR_INTERNAL', 'Internal error. The administrator can find details in the server log.');
  });
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any hook runs (a URL with bad
 * percent-encoding) skip the error handler and onSend, so they get the same shape and headers here.
 */
export function onFrameworkError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const headers = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' };
  if (err.code === 'FST_ERR_BAD_URL') send(reply, 'BST_ERR_VALIDATION', 'The URL is not valid (check its percent-encoding).', headers);
  else if (err.statusCode !== undefined && err.statusCode < 500) send(reply, 'BST_ERR_VALIDATION', err.message, headers);
  else send(reply, 'BST_ERR_INTERNAL', 'Internal error. The administrator can find details in the server log.', headers);
}
