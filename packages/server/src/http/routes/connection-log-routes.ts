import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { toAzureBastionAuditLog } from '../../../../protocol/src/bastion-audit-log.js';
import type { BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import type { ConnectionLog } from '../../audit/connection-log.js';
import { exportHeaders, toCsv, toJsonLines } from '../../audit/export.js';
import { validationError } from '../../errors.js';
import { ACTIONS, TENANT_SCOPE } from '../../rbac/index.js';

/** CSV columns of a connection record (every field, in the record's order). */
const CSV_COLUMNS: Array<keyof BastionAuditRecord & string> = [
  'sessionId', 'protocol', 'bastionResourceId', 'userName', 'principalName', 'principalId', 'userAgent', 'clientIpAddress', 'clientPort',
  'targetResourceId', 'targetVMIPAddress', 'targetPort', 'tunnelId', 'message', 'errorCode', 'startTime', 'endTime', 'durationMs',
  'bytesIn', 'bytesOut', 'endReason',
];

/** An ISO 8601 instant from the query, normalised so it compares with the stored (UTC, ms) times. */
export function instant(name: string, value: string | undefined): string | undefined {
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
              protocol: Type.Optional(Type.Union([Type.Literal('ssh'), Type.Literal('rdp'), Type.Literal('tunnel')])),
              outcome: Type.Optional(Type.Union([Type.Literal('succeeded'), Type.Literal('failed')], { description: 'succeeded: established; failed: never established' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Default 100 (10 000 for jsonl/csv); JSON pages at most 1000' })),
              format: Type.Optional(
                Type.Union([Type.Literal('bastion'), Type.Literal('azure'), Type.Literal('jsonl'), Type.Literal('csv')], { description: 'jsonl and csv are downloads (Content-Disposition: attachment)' }),
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const q = request.query;
        const download = q.format === 'jsonl' || q.format === 'csv';
        if (!download && q.limit !== undefined && q.limit > 1000) throw validationError('limit must be at most 1000 for a JSON page (use format=jsonl or csv to export more).');
        const records = await deps.connections.list({
          targetResourceId: q.vm,
          principalName: q.user,
          since: instant('since', q.since),
          until: instant('until', q.until),
          protocol: q.protocol,
          outcome: q.outcome,
          limit: q.limit ?? (download ? 10_000 : 100),
        });
        if (q.format === 'jsonl') return reply.headers(exportHeaders('jsonl', 'bastion-audit-logs')).send(toJsonLines(records));
        if (q.format === 'csv') return reply.headers(exportHeaders('csv', 'bastion-audit-logs')).send(toCsv(records, CSV_COLUMNS));
        return { value: q.format === 'azure' ? records.map(toAzureBastionAuditLog) : records };
      },
    );
  };
