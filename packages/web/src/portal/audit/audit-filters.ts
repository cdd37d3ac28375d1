/**
 * The Audit log page's filters as API queries (design 0005): one set of filters for connection records
 * (`/api/bastionAuditLogs`) and audit events (`/api/audit`), the page's table and the exports alike.
 * Pure functions, so they are tested without a browser.
 */

export interface AuditFilters {
  /** The bastion user (principal) for records; the actor for events. */
  user: string;
  /** A VM's resource ID (records) / an event's target. */
  vm: string;
  protocol: '' | 'ssh' | 'rdp';
  outcome: '' | 'succeeded' | 'failed';
  /** `<input type="datetime-local">` values (local time, no zone); '' for open-ended. */
  since: string;
  until: string;
}

export const NO_FILTERS: AuditFilters = { user: '', vm: '', protocol: '', outcome: '', since: '', until: '' };

/** A datetime-local value (the viewer's time zone) as an ISO instant; undefined for '' or nonsense. */
export function localToIso(value: string): string | undefined {
  if (!value.trim()) return undefined;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const query = (entries: Array<[string, string | undefined]>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of entries) if (v) q.set(k, v);
  return q.toString();
};

/** Query of `/api/bastionAuditLogs` (connection records). */
export function connectionQuery(f: AuditFilters, extra: { format?: 'jsonl' | 'csv'; limit?: number } = {}): string {
  return query([
    ['user', f.user.trim()],
    ['vm', f.vm],
    ['protocol', f.protocol],
    ['outcome', f.outcome],
    ['since', localToIso(f.since)],
    ['until', localToIso(f.until)],
    ['limit', extra.limit?.toString()],
    ['format', extra.format],
  ]);
}

/** Query of `/api/audit` (events): succeeded/failed become the events' success/failure; protocol does not apply. */
export function eventQuery(f: AuditFilters, extra: { format?: 'jsonl' | 'csv'; limit?: number } = {}): string {
  return query([
    ['actor', f.user.trim()],
    ['target', f.vm],
    ['outcome', f.outcome === 'succeeded' ? 'success' : f.outcome === 'failed' ? 'failure' : ''],
    ['since', localToIso(f.since)],
    ['until', localToIso(f.until)],
    ['limit', extra.limit?.toString()],
    ['format', extra.format],
  ]);
}
