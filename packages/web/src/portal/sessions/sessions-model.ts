import type { ActiveSession, DisconnectResult } from '../../../../protocol/src/active-sessions.js';
import { ApiError } from '../../api/api-error.js';
import type { BastionApi } from '../../api/bastion-api.js';
import { listInFirstSubscription } from '../first-subscription.js';

/** A live session and the bastion it goes through (disconnecting is an action on that bastion). */
export interface SessionRow extends ActiveSession {
  bastionId: string;
  bastionName: string;
}

/**
 * Every live session the user may see: the bastions they can read, then each one's getActiveSessions.
 * A bastion where they lack getActiveSessions (403) contributes nothing rather than failing the page.
 */
export async function loadSessions(api: BastionApi): Promise<SessionRow[]> {
  const bastions = await listInFirstSubscription(api, api.bastionHosts);
  const lists = await Promise.all(
    bastions.map(async (b) => {
      try {
        return (await api.activeSessions(b.id)).map((s) => ({ ...s, bastionId: b.id, bastionName: b.name }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 403) return [];
        throw err;
      }
    }),
  );
  return lists.flat().sort((a, b) => a.startTime.localeCompare(b.startTime));
}

/** Disconnects the rows, one request per bastion; the results in the rows' order. */
export async function disconnectRows(api: BastionApi, rows: readonly SessionRow[]): Promise<DisconnectResult[]> {
  const byBastion = new Map<string, string[]>();
  for (const r of rows) byBastion.set(r.bastionId, [...(byBastion.get(r.bastionId) ?? []), r.sessionId]);
  const results = (await Promise.all([...byBastion].map(([bastionId, ids]) => api.disconnectSessions(bastionId, ids)))).flat();
  return rows.map((r) => results.find((x) => x.sessionId === r.sessionId) ?? { sessionId: r.sessionId, state: 'Failed', message: 'No answer for this session.' });
}

/** The banner after a disconnect: how many ended, and why the others did not. */
export function disconnectSummary(results: readonly DisconnectResult[]): { intent: 'success' | 'warning'; text: string } {
  const done = results.filter((r) => r.state === 'Disconnected').length;
  const gone = results.filter((r) => r.state === 'NotFound').length;
  const failed = results.length - done - gone;
  const parts = [`Disconnected ${done} session${done === 1 ? '' : 's'}.`];
  if (gone) parts.push(`${gone} had already ended.`);
  if (failed) parts.push(`${failed} could not be disconnected.`);
  return { intent: failed ? 'warning' : 'success', text: parts.join(' ') };
}
