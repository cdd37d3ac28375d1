import type { FastifyRequest } from 'fastify';
import type { AuditInput } from '../audit/audit-log.js';

/**
 * Who made a request, as every audit event records it: the signed-in user (or `actor` when the caller
 * knows better, e.g. a shareable link's visitor), the client address (trustProxy honoured) and user agent.
 */
export const requestWho = (request: FastifyRequest, actor?: string | null): Pick<AuditInput, 'actor' | 'clientIp' | 'userAgent'> => ({
  actor: actor !== undefined ? actor : (request.user?.username ?? null),
  clientIp: request.ip,
  userAgent: request.headers['user-agent'] ?? null,
});
