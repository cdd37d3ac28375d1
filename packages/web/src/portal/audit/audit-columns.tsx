import { Badge } from '@fluentui/react-components';
import type { AuditEvent } from '../../../../protocol/src/api-types.js';
import { CONNECTED_MESSAGE, type BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import { timeText } from '../../format/date-format.js';
import { isResourceId, shortenIds, shortResourceName } from '../../format/resource-ids.js';
import { NONE, nameFromId } from '../../format/resource-format.js';
import type { Column } from '../resource-table.js';
import { bytesText, durationText, END_REASON_TEXT } from '../sessions/session-format.js';

const OUTCOME_COLOR = { success: 'success', failure: 'danger', denied: 'warning' } as const;

function shorten(text: string | null): string {
  if (!text) return NONE;
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Long words (IDs, user agents) break inside their own column instead of running into the next one. */
const WRAP = { overflowWrap: 'anywhere', whiteSpace: 'normal' } as const;

/** A resource ID as its short name, the whole ID on hover (and for screen readers, as the title). */
function IdText({ id }: { id: string | null }) {
  if (!id) return <>{NONE}</>;
  return (
    <span title={id} style={WRAP}>
      {isResourceId(id) ? shortResourceName(id) : id}
    </span>
  );
}

/** A message in full, wrapped, with its resource IDs as names (the full text on hover). */
function MessageText({ text }: { text: string }) {
  const short = shortenIds(text);
  return (
    <span title={short === text ? undefined : text} style={WRAP}>
      {short}
    </span>
  );
}

/**
 * The general audit events (sign-ins, role changes, disconnects…): what is read first comes first and fits
 * beside the navigation at 1366 px (widths plus Fluent's 16 px padding each); client IP and user agent scroll.
 */
export const EVENT_COLUMNS: Column<AuditEvent>[] = [
  { key: 'time', label: 'Time', render: (e) => <time dateTime={e.time}>{timeText(e.time)}</time>, sortValue: (e) => e.time, width: '170px' },
  { key: 'type', label: 'Type', render: (e) => <span style={WRAP}>{e.type}</span>, sortValue: (e) => e.type, width: '140px' },
  { key: 'code', label: 'Code', render: (e) => e.code, sortValue: (e) => e.code, width: '60px' },
  {
    key: 'outcome',
    label: 'Outcome',
    render: (e) => (
      <Badge appearance="tint" color={OUTCOME_COLOR[e.outcome] ?? 'informative'}>
        {e.outcome}
      </Badge>
    ),
    sortValue: (e) => e.outcome,
    width: '90px',
  },
  { key: 'actor', label: 'Actor', render: (e) => e.actor ?? NONE, sortValue: (e) => e.actor ?? '', width: '90px' },
  { key: 'target', label: 'Target', render: (e) => <IdText id={e.target} />, sortValue: (e) => e.target ?? '', width: '140px' },
  { key: 'message', label: 'Message', render: (e) => <MessageText text={e.message} />, width: '260px' },
  { key: 'clientIp', label: 'Client IP', render: (e) => e.clientIp ?? NONE, sortValue: (e) => e.clientIp ?? '' },
  { key: 'userAgent', label: 'User agent', render: (e) => <span title={e.userAgent ?? undefined}>{shorten(e.userAgent)}</span>, width: '200px' },
];

const succeeded = (r: BastionAuditRecord): boolean => r.message === CONNECTED_MESSAGE;
/** A record still open: live (or the bastion died and has not restarted yet). */
const endText = (r: BastionAuditRecord): string => (r.endReason ? (END_REASON_TEXT[r.endReason] ?? r.endReason) : 'In progress');

/** The connection records (BastionAuditLogs): one row per SSH/RDP connection. */
export const CONNECTION_COLUMNS: Column<BastionAuditRecord>[] = [
  { key: 'start', label: 'Start', render: (r) => <time dateTime={r.startTime}>{timeText(r.startTime)}</time>, sortValue: (r) => r.startTime, width: '190px' },
  { key: 'user', label: 'User', render: (r) => <span title={`Account on the VM: ${r.userName || NONE}`}>{r.principalName}</span>, sortValue: (r) => r.principalName },
  { key: 'vm', label: 'VM', render: (r) => <span title={r.targetResourceId}>{nameFromId(r.targetResourceId)}</span>, sortValue: (r) => nameFromId(r.targetResourceId) },
  { key: 'protocol', label: 'Protocol', render: (r) => r.protocol.toUpperCase(), sortValue: (r) => r.protocol, width: '90px' },
  { key: 'source', label: 'Source IP', render: (r) => r.clientIpAddress, sortValue: (r) => r.clientIpAddress },
  {
    key: 'outcome',
    label: 'Outcome',
    render: (r) => (
      <Badge appearance="tint" color={succeeded(r) ? 'success' : r.endTime ? 'danger' : 'informative'}>
        {succeeded(r) ? 'Succeeded' : r.endTime ? 'Failed' : 'Connecting'}
      </Badge>
    ),
    sortValue: (r) => (succeeded(r) ? 1 : 0),
  },
  { key: 'endReason', label: 'End reason', render: (r) => <span title={r.endReason ?? undefined}>{endText(r)}</span>, sortValue: (r) => r.endReason ?? '' },
  { key: 'duration', label: 'Duration', render: (r) => durationText(r.durationMs), sortValue: (r) => r.durationMs ?? -1 },
  { key: 'bytesIn', label: 'Bytes in', render: (r) => bytesText(r.bytesIn), sortValue: (r) => r.bytesIn },
  { key: 'bytesOut', label: 'Bytes out', render: (r) => bytesText(r.bytesOut), sortValue: (r) => r.bytesOut },
  { key: 'message', label: 'Message', render: (r) => <MessageText text={r.message} />, width: '280px' },
];
