import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../../audit/audit-log.js';
import { VisitorLimited } from '../../sharing/visitor-limits.js';
import { requestWho } from '../request-who.js';

/**
 * The share routes' onError hook: a visitor refused by a limit (design 0008) is audited as
 * `link.rate_limited`, once per limit and key a minute (the limiter decides), so that a flood of 429s
 * does not become a flood of audit rows. The error itself goes on to the error handler (429 + Retry-After).
 */
export const visitorLimitAudited =
  (audit: AuditLog) =>
  async (request: FastifyRequest, _reply: FastifyReply, error: Error): Promise<void> => {
    if (!(error instanceof VisitorLimited) || !error.report) return;
    const linkKeyed = error.limit === 'tickets-link' || error.limit === 'live-tickets-link';
    await audit.write({
      type: 'link.rate_limited',
      outcome: 'denied',
      ...requestWho(request, null),
      target: null,
      message: `Shareable-link visitor refused (${error.limit}): ${error.message} Further refusals of this kind are not recorded for a minute.`,
      details: { limit: error.limit, ...(linkKeyed ? { linkId: error.key } : { place: error.key }), retryAfterSeconds: Math.ceil(error.retryAfterMs / 1000) },
    });
  };
