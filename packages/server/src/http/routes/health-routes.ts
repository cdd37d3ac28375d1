import type { Kysely } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import type { Database } from '../../storage/schema.js';
import { probeWritable, whyNotWritable } from '../../storage/writable-folder.js';

/** One failed readiness check, as the 503 body names it. */
export interface FailedCheck {
  check: 'database' | 'recordings';
  message: string;
  path?: string;
}

/** How long one probe result is reused: a load balancer polling every 100 ms costs one write a second. */
export const READINESS_CACHE_MS = 1500;
/** A probe that hangs (stuck storage, a dead PostgreSQL) counts as failed after this long. */
const PROBE_TIMEOUT_MS = 5000;

type ProbeDb = Kysely<{ health_probe: { name: string; checked_at: string } }>;

async function withTimeout<T>(what: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([what, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The checks behind /readyz: a committed write to the database (an upsert of one row of `health_probe`;
 * `select 1` answered while every write failed, issue #13) and a probe file created, fsynced and removed
 * in the recordings folder. Results are shared for READINESS_CACHE_MS, and concurrent requests share
 * one run, so polling cannot hammer the disk or queue behind SQLite's write lock.
 */
export function readinessProbe(deps: { db: Kysely<Database>; recordingsDir?: string | undefined; cacheMs?: number }): () => Promise<FailedCheck[]> {
  const cacheMs = deps.cacheMs ?? READINESS_CACHE_MS;
  let cached: { at: number; result: Promise<FailedCheck[]> } | undefined;
  const run = async (): Promise<FailedCheck[]> => {
    const failed: FailedCheck[] = [];
    const now = new Date().toISOString();
    try {
      await withTimeout(
        (deps.db as unknown as ProbeDb)
          .insertInto('health_probe')
          .values({ name: 'readyz', checked_at: now })
          .onConflict((oc) => oc.column('name').doUpdateSet({ checked_at: now }))
          .execute(),
      );
    } catch (err) {
      failed.push({ check: 'database', message: `the database cannot be written: ${(err as Error).message}` });
    }
    if (deps.recordingsDir) {
      const dir = deps.recordingsDir;
      try {
        await withTimeout(probeWritable(dir));
      } catch (err) {
        failed.push({ check: 'recordings', path: dir, message: `the recordings folder ${dir} cannot be written (${whyNotWritable(dir, err)})` });
      }
    }
    return failed;
  };
  return () => {
    const t = Date.now();
    if (!cached || t - cached.at >= cacheMs) cached = { at: t, result: run() };
    return cached.result;
  };
}

/** Liveness (the process answers) and readiness (the database and the recordings folder take writes, and the bastion is not shutting down). */
export const healthRoutes =
  (deps: { db: Kysely<Database>; live?: LiveSessions; recordingsDir?: string | undefined }): FastifyPluginAsync =>
  async (app) => {
    const probe = readinessProbe(deps);
    app.get('/healthz', { config: { public: true }, schema: { tags: ['health'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { config: { public: true }, schema: { tags: ['health'], summary: 'Readiness: the database and the recordings folder can be written and the bastion is not shutting down' } }, async (_request, reply) => {
      // A load balancer must stop sending new sessions as soon as shutdown begins.
      if (deps.live?.closing) return reply.code(503).send({ status: 'not ready', reason: 'shutting down', failed: [] });
      const failed = await probe();
      if (failed.length === 0) return { status: 'ready' };
      return reply.code(503).send({ status: 'not ready', reason: failed.map((f) => f.message).join('; '), failed });
    });
  };
