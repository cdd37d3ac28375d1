import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toAzureBastionAuditLog } from '../../../../protocol/src/bastion-audit-log.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { validationError } from '../../errors.js';
import { ACTIONS, TENANT_SCOPE } from '../../rbac/index.js';

/** An ISO 8601 instant from the query, normalised so it compares with the stored (UTC, ms) times. */
function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw validationError(`${name} must be an ISO 8601 date and time (e.g. 2026-01-31T12:00:00Z), not "${value}".`);
  return new Date(t).toISOString();
}

/**
 * The connection records (design 0003, "Audit events"): one per SSH/RDP connection, newest first, in our
 * shape or (`format=azure`) in Azure's BastionAuditLogs export envelope. Read with the audit-read action,
 * like the general audit log.
 */
export const connectionLogRoutes =
  (deps: { connections: ConnectionLog }): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/bastionAuditLogs',
      {
        config: { access: { kind: 'resource', action: ACTIONS.auditEvents.read, resource: () => TENANT_SCOPE } },
        schema: {
          tags: ['audit'],
          summary: 'Connection records (BastionAuditLogs), newest first',
          querystring: Type.Object(
            {
              vm: Type.Optional(Type.String({ maxLength: 1024, description: "The VM's resource ID (case-insensitive)" })),
              user: Type.Optional(Type.String({ maxLength: 128, description: 'The bastion user who connected' })),
              since: Type.Optional(Type.String({ maxLength: 40, description: 'Started at or after (ISO 8601)' })),
              until: Type.Optional(Type.String({ maxLength: 40, description: 'Started at or before (ISO 8601)' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
              format: Type.Optional(Type.Union([Type.Literal('bastion'), Type.Literal('azure')])),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const q = request.query;
        const records = await deps.connections.list({
          targetResourceId: q.vm,
          principalName: q.user,
          since: instant('since', q.since),
          until: instant('until', q.until),
          limit: q.limit,
        });
        return { value: q.format === 'azure' ? records.map(toAzureBastionAuditLog) : records };
      },
    );
  };
