import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { TERMINATED_MESSAGE, type ActiveSession, type DisconnectResult } from '../../../../protocol/src/active-sessions.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { notFound } from '../../errors.js';
import * as ids from '../../inventory/ids.js';
import type { InventoryService } from '../../inventory/service.js';
import { ACTIONS } from '../../rbac/index.js';
import type { LiveSession, LiveSessions } from '../../sessions/live-sessions.js';
import { resourceIdFromUrl } from '../resource-url.js';
import { NameParam } from './schemas.js';
import { requestWho } from '../request-who.js';

const BASTION = '/api/subscriptions/:sub/resourceGroups/:rg/providers/Microsoft.Network/bastionHosts/:name';
const Params = Type.Object({ sub: NameParam, rg: NameParam, name: NameParam });
const SessionId = Type.String({ minLength: 1, maxLength: 128 });

/** `/subscriptions/s/resourceGroups/rg/providers/T/name` → its parts (null for an ID of another shape). */
function partsOf(id: string): { subscriptionId: string; resourceGroup: string; name: string } | null {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/[^/]+\/[^/]+\/([^/]+)$/i.exec(id);
  return m ? { subscriptionId: m[1]!, resourceGroup: m[2]!, name: m[3]! } : null;
}

/** A live session in Azure's getActiveSessions item shape (plus bytes, principal and client address). */
export function activeSessionView(s: LiveSession, now = Date.now()): ActiveSession {
  const i = s.info;
  const target = partsOf(i.targetResourceId);
  const stats = s.stats();
  return {
    sessionId: s.sessionId,
    startTime: i.startTime,
    targetSubscriptionId: target?.subscriptionId ?? '',
    resourceType: 'VM',
    targetHostName: target?.name ?? ids.nameOf(i.targetResourceId),
    targetResourceGroup: target?.resourceGroup ?? '',
    userName: i.userName,
    targetIpAddress: i.targetVMIPAddress,
    // Native-client tunnels (design 0007) are listed as Azure lists them: by what they carry (3389 = RDP).
    protocol: s.protocol === 'rdp' || (s.protocol === 'tunnel' && i.targetPort === 3389) ? 'RDP' : 'SSH',
    targetResourceId: i.targetResourceId,
    sessionDurationInMins: Math.round(Math.max(0, now - Date.parse(i.startTime)) / 600) / 100,
    bytesIn: stats?.bytesIn ?? 0,
    bytesOut: stats?.bytesOut ?? 0,
    principalName: i.principalName,
    clientIpAddress: i.clientIpAddress,
  };
}

/**
 * Azure's Sessions blade as REST (design 0005): the live sessions that go through one bastion host, and
 * an administrator's disconnect. Both are POST actions on the bastion, as in Azure, each with its own
 * action, so a role can list without disconnecting. Sessions of this process only: several bastion
 * processes on one PostgreSQL do not see each other's live sessions.
 */
export const sessionRoutes =
  (deps: { live: LiveSessions; inventory: InventoryService; audit: AuditLog }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const bastionId = (request: FastifyRequest): string => resourceIdFromUrl(request).replace(/\/(getActiveSessions|disconnectActiveSessions)$/i, '');
    const on = (action: string) => ({ access: { kind: 'resource' as const, action, resource: bastionId } });
    /** The bastion (404 when it does not exist) and the live sessions that go through it. */
    const sessionsOf = async (request: FastifyRequest): Promise<{ id: string; sessions: LiveSession[] }> => {
      const bastion = await deps.inventory.get(bastionId(request));
      if (!bastion || bastion.type !== ids.TYPES.bastionHost) throw notFound(`Bastion ${ids.nameOf(bastionId(request))}`);
      const key = bastion.id.toLowerCase();
      return { id: bastion.id, sessions: deps.live.list().filter((s) => s.info.bastionResourceId?.toLowerCase() === key) };
    };

    app.post(
      `${BASTION}/getActiveSessions`,
      { config: on(ACTIONS.bastionHosts.getActiveSessions), schema: { tags: ['sessions'], summary: 'Live sessions through this bastion (Azure getActiveSessions)', params: Params } },
      async (request) => {
        const { sessions } = await sessionsOf(request);
        const now = Date.now();
        return { value: sessions.map((s) => activeSessionView(s, now)).sort((a, b) => a.startTime.localeCompare(b.startTime)) };
      },
    );

    app.post(
      `${BASTION}/disconnectActiveSessions`,
      {
        config: on(ACTIONS.bastionHosts.disconnectActiveSessions),
        schema: {
          tags: ['sessions'],
          summary: 'End live sessions (Azure disconnectActiveSessions); the user sees that an administrator disconnected them',
          params: Params,
          body: Type.Object({ value: Type.Array(SessionId, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
        },
      },
      async (request) => {
        const { id, sessions } = await sessionsOf(request);
        const results: DisconnectResult[] = [];
        for (const sessionId of request.body.value) {
          const s = sessions.find((x) => x.sessionId === sessionId);
          if (!s) {
            results.push({ sessionId, state: 'NotFound', message: 'No live session with this ID goes through this bastion.' });
            continue;
          }
          try {
            await s.terminate('terminated', TERMINATED_MESSAGE);
            results.push({ sessionId, state: 'Disconnected', message: 'The session was disconnected.' });
          } catch (err) {
            request.log.error({ err, sessionId }, 'disconnect failed');
            results.push({ sessionId, state: 'Failed', message: 'The session could not be disconnected.' });
            continue;
          }
          await deps.audit.write({
            type: 'session.terminated',
            outcome: 'success',
            ...requestWho(request),
            target: s.info.targetResourceId,
            message: `Disconnected the ${s.protocol.toUpperCase()} session ${sessionId} of ${s.info.principalName} to ${ids.nameOf(s.info.targetResourceId)}.`,
            details: { sessionId, protocol: s.protocol, principalName: s.info.principalName, userName: s.info.userName, bastionResourceId: id },
          });
        }
        return { value: results };
      },
    );
  };
