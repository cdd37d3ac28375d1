import type { FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import { BastionError } from '../errors.js';
import { requestWho } from './request-who.js';

/**
 * Runs a removal and, when the last-Owner guard refused it (BST_ERR_LAST_OWNER), audits the attempt
 * before the 409 goes out: an administrator trying to lock everybody out is worth a trace. The event is
 * written after the refused transaction rolled back (never inside it). Other errors pass untouched.
 */
export async function auditLastOwnerRefusal<T>(audit: AuditLog, request: FastifyRequest, target: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BastionError && err.code === 'BST_ERR_LAST_OWNER')
      await audit.write({ ...requestWho(request), type: 'rbac.last_owner.refused', outcome: 'failure', target, message: err.message, details: { method: request.method, url: request.url } });
    throw err;
  }
}
