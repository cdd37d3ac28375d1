import { createReadStream } from 'node:fs';
import { refusalAudit } from '../../audit/refusal-limiter.js';
import { stat } from 'node:fs/promises';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AuditInput, AuditLog } from '../../audit/audit-log.js';
import { conflict, notFound, validationError } from '../../errors.js';
import { ACTIONS } from '../../rbac/index.js';
import { recordingInfo, streamCast, type RecordingRow, type Recordings, type WatchSocket } from '../../recordings/index.js';
import { bastionOfIpTarget } from '../tunnel-access.js';
import { checkWebSocketOrigin } from '../websocket-origin.js';
import { requestWho } from '../request-who.js';

export interface RecordingRouteDeps {
  recordings: Recordings;
  audit: AuditLog;
  allowedOrigins: (request: FastifyRequest) => string[];
}

const PLAYBACK = ACTIONS.recordings.playback;
const tags = ['recordings'];
const SessionParams = Type.Object({ sessionId: Type.String({ pattern: '^[0-9A-Fa-f-]{36}$' }) });
const CONTENT_TYPE = { asciicast: 'application/x-asciicast', rdpcap: 'application/octet-stream' } as const;
const EXTENSION = { asciicast: 'cast', rdpcap: 'rdpcap' } as const;

/** Where a recording's access is checked: its VM, or for an IP-based session (no VM) the bastion it went through. */
const accessScope = (row: RecordingRow): string => bastionOfIpTarget(row.vm) ?? row.vm;

/** An ISO 8601 instant from the query, normalised so it compares with the stored (UTC, ms) times. */
function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw validationError(`${name} must be an ISO 8601 date and time (e.g. 2026-01-31T12:00:00Z), not "${value}".`);
  return new Date(t).toISOString();
}

/**
 * Session recordings (design 0006). Every route needs Bastion.Recordings/recordings/playback/action on the
 * recording's VM (an IP-based session's: its bastion) or a scope above it: listings show only those, single recordings answer 403 (audited).
 * Playing, downloading and watching live are audited (P family).
 */
export const recordingsRoutes =
  (deps: RecordingRouteDeps): FastifyPluginAsyncTypebox =>
  async (app) => {
    const somewhere = { access: { kind: 'somewhere' as const, action: PLAYBACK } };
    const rows = new WeakMap<FastifyRequest, RecordingRow>();

    /** The recording the URL names, if the caller may play it (404 unknown, 403 otherwise). */
    const load = async (request: FastifyRequest, sessionId: string): Promise<RecordingRow> => {
      const row = await deps.recordings.store.get(sessionId);
      if (!row) throw notFound(`Recording ${sessionId}`);
      await request.authorize(PLAYBACK, accessScope(row));
      return row;
    };
    const info = (row: RecordingRow) => recordingInfo(row, deps.recordings.isLive(row.sessionId), deps.recordings.liveSize(row.sessionId) ?? row.size);
    const audit = (request: FastifyRequest, input: AuditInput): Promise<unknown> =>
      deps.audit.write({ ...requestWho(request), ...input });
    const details = (row: RecordingRow) => ({ sessionId: row.sessionId, format: row.format, user: row.user, start: row.start });

    app.get(
      '/api/recordings',
      {
        config: somewhere,
        schema: {
          tags,
          summary: 'Session recordings the caller may play, newest first',
          querystring: Type.Object(
            {
              vm: Type.Optional(Type.String({ maxLength: 1024, description: "The VM's resource ID (case-insensitive)" })),
              user: Type.Optional(Type.String({ maxLength: 128, description: 'The bastion user who ran the session' })),
              since: Type.Optional(Type.String({ maxLength: 40, description: 'Started at or after (ISO 8601)' })),
              until: Type.Optional(Type.String({ maxLength: 40, description: 'Started at or before (ISO 8601)' })),
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request) => {
        const q = request.query;
        const grants = await request.grants();
        const found = await deps.recordings.store.list({ vm: q.vm, user: q.user, since: instant('since', q.since), until: instant('until', q.until), limit: q.limit });
        return { value: found.filter((r) => grants.allows(PLAYBACK, accessScope(r))).map(info) };
      },
    );

    app.get(
      '/api/recordings/:sessionId',
      { config: somewhere, schema: { tags, summary: "One recording's metadata", params: SessionParams } },
      async (request) => info(await load(request, request.params.sessionId)),
    );

    // The file as it is now (a live recording: up to the last flush). `/play` is the portal player's read
    // (inline, audited as viewed); `/download` an attachment (audited as downloaded).
    for (const [suffix, disposition] of [['play', 'inline'], ['download', 'attachment']] as const) {
      app.get(
        `/api/recordings/:sessionId/${suffix}`,
        { config: somewhere, schema: { tags, summary: disposition === 'inline' ? 'The recording file, for the portal player' : 'Download the recording file', params: SessionParams } },
        async (request, reply) => {
          const row = await load(request, request.params.sessionId);
          const path = deps.recordings.pathOf(row);
          const size = await stat(path).then((s) => s.size, () => undefined);
          if (size === undefined) throw notFound(`The file of recording ${row.sessionId}`);
          await audit(request, { type: disposition === 'inline' ? 'recording.viewed' : 'recording.downloaded', outcome: 'success', target: row.vm, message: `Recording of session ${row.sessionId} ${disposition === 'inline' ? 'played' : 'downloaded'}.`, details: details(row) });
          const name = `${row.sessionId}.${EXTENSION[row.format]}`;
          return reply
            .type(CONTENT_TYPE[row.format])
            .header('Content-Disposition', `${disposition}; filename="${name}"`)
            .send(createReadStream(path));
        },
      );
    }

    app.get(
      '/api/recordings/:sessionId/live',
      {
        websocket: true,
        config: somewhere,
        schema: { tags, summary: 'WebSocket: watch a live SSH session (read-only asciicast lines, joins mid-session)', params: SessionParams },
        preValidation: async (request) => {
          // CSRF defence for WebSockets: the Origin must be the bastion's own.
          await checkWebSocketOrigin(request, deps.allowedOrigins, {
            onRefused: (message, origin) => refusalAudit(deps.audit).write({ ...requestWho(request), type: 'access.denied', outcome: 'denied', target: null, message, details: { reason: 'origin', origin, url: request.url.split('?')[0] } }),
          });
          const row = await load(request, (request.params as { sessionId: string }).sessionId);
          if (row.format !== 'asciicast') throw conflict('Only SSH sessions can be watched live; download the RDP capture instead.');
          rows.set(request, row);
        },
      },
      (socket, request) => {
        const row = rows.get(request)!;
        const live = deps.recordings.liveCast(row.sessionId);
        void audit(request, { type: live ? 'recording.watched_live' : 'recording.viewed', outcome: 'success', target: row.vm, message: live ? `Live session ${row.sessionId} of ${row.user} watched (read-only).` : `Recording of session ${row.sessionId} played.`, details: details(row) }).catch(
          (err: unknown) => request.log.error({ err }, 'audit write failed'),
        );
        streamCast(socket as unknown as WatchSocket, deps.recordings.pathOf(row), live).catch((err: unknown) => {
          request.log.error({ err, sessionId: row.sessionId }, 'live watch failed');
          (socket as unknown as WatchSocket).close(1011, 'The recording could not be read.');
        });
      },
    );
  };
