import { Badge } from '@fluentui/react-components';
import type { AuditEvent } from '../../../../protocol/src/api-types.js';
import { usePortalSession } from '../../auth/session-context.js';
import { NONE, timeText } from '../../format/resource-format.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { useAsync } from '../use-async.js';

const OUTCOME_COLOR = { success: 'success', failure: 'danger', denied: 'warning' } as const;

const COLUMNS: Column<AuditEvent>[] = [
  { key: 'time', label: 'Time', render: (e) => <time dateTime={e.time}>{timeText(e.time)}</time>, sortValue: (e) => e.time, width: '190px' },
  { key: 'type', label: 'Type', render: (e) => e.type, sortValue: (e) => e.type },
  { key: 'code', label: 'Code', render: (e) => e.code, sortValue: (e) => e.code, width: '80px' },
  {
    key: 'outcome',
    label: 'Outcome',
    render: (e) => (
      <Badge appearance="tint" color={OUTCOME_COLOR[e.outcome] ?? 'informative'}>
        {e.outcome}
      </Badge>
    ),
    sortValue: (e) => e.outcome,
  },
  { key: 'actor', label: 'Actor', render: (e) => e.actor ?? NONE, sortValue: (e) => e.actor ?? '' },
  { key: 'target', label: 'Target', render: (e) => e.target ?? NONE, sortValue: (e) => e.target ?? '' },
  { key: 'clientIp', label: 'Client IP', render: (e) => e.clientIp ?? NONE, sortValue: (e) => e.clientIp ?? '' },
  { key: 'userAgent', label: 'User agent', render: (e) => <span title={e.userAgent ?? undefined}>{shorten(e.userAgent)}</span> },
  { key: 'message', label: 'Message', render: (e) => e.message },
];

function shorten(text: string | null): string {
  if (!text) return NONE;
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Admin only: the latest 200 audit events, newest first as the server sends them. */
export function AuditLogPage() {
  const { api } = usePortalSession();
  const data = useAsync(() => api.audit(200), [api]);
  return <ResourcePage title="Audit log" data={data} columns={COLUMNS} rowKey={(e) => e.id} emptyText="No audit events yet" />;
}
