import { Badge, Link, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownload20Regular, Live20Regular, Play20Regular } from '@fluentui/react-icons';
import type { RecordingInfo } from '../../../protocol/src/recordings.js';
import { usePortalSession } from '../auth/session-context.js';
import { timeText } from '../format/resource-format.js';
import { ResourcePage } from '../portal/resource-page.js';
import type { Column } from '../portal/resource-table.js';
import { useAsync } from '../portal/use-async.js';
import { handleLinkClick } from '../routing/link-click.js';
import { recordingPath } from '../routing/routes.js';
import { downloadUrl, durationText, listRecordings, sizeText } from './recordings-api.js';

const useStyles = makeStyles({
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
  action: { display: 'inline-flex', alignItems: 'center', columnGap: tokens.spacingHorizontalXS },
});

const STATUS_COLOR = { recording: 'brand', complete: 'success', failed: 'danger', interrupted: 'warning' } as const;
const vmName = (id: string): string => id.split('/').pop() ?? id;

function Actions({ r }: { r: RecordingInfo }) {
  const styles = useStyles();
  const play = recordingPath(r.sessionId);
  const live = recordingPath(r.sessionId, 'live');
  return (
    <span className={styles.actions}>
      {r.format === 'asciicast' ? (
        <Link href={play} onClick={(e) => handleLinkClick(e, play)} className={styles.action} aria-label={`Play recording of ${r.user} on ${vmName(r.vm)} at ${timeText(r.start)}`}>
          <Play20Regular aria-hidden /> Play
        </Link>
      ) : null}
      {r.live && r.format === 'asciicast' ? (
        <Link href={live} onClick={(e) => handleLinkClick(e, live)} className={styles.action} aria-label={`Watch live session of ${r.user} on ${vmName(r.vm)}`}>
          <Live20Regular aria-hidden /> Watch live
        </Link>
      ) : null}
      {/* A plain download: the browser sends the session cookie; the server sets Content-Disposition. */}
      <Link href={downloadUrl(r.sessionId)} download className={styles.action} aria-label={`Download recording of ${r.user} on ${vmName(r.vm)} at ${timeText(r.start)}`}>
        <ArrowDownload20Regular aria-hidden /> Download
      </Link>
    </span>
  );
}

const COLUMNS: Column<RecordingInfo>[] = [
  { key: 'start', label: 'Start', render: (r) => <time dateTime={r.start}>{timeText(r.start)}</time>, sortValue: (r) => r.start, width: '190px' },
  { key: 'user', label: 'User', render: (r) => r.user, sortValue: (r) => r.user },
  { key: 'vm', label: 'VM', render: (r) => <span title={r.vm}>{vmName(r.vm)}</span>, sortValue: (r) => vmName(r.vm) },
  { key: 'userName', label: 'Account', render: (r) => r.userName, sortValue: (r) => r.userName },
  { key: 'protocol', label: 'Protocol', render: (r) => r.protocol.toUpperCase(), sortValue: (r) => r.protocol, width: '90px' },
  { key: 'duration', label: 'Duration', render: (r) => durationText(r.start, r.end), sortValue: (r) => (r.end ? Date.parse(r.end) : Date.now()) - Date.parse(r.start) },
  { key: 'size', label: 'Size', render: (r) => sizeText(r.size), sortValue: (r) => r.size, width: '90px' },
  {
    key: 'status',
    label: 'Status',
    render: (r) => (
      <Badge appearance="tint" color={STATUS_COLOR[r.status] ?? 'informative'} title={r.error ?? undefined}>
        {r.live ? 'live' : r.status}
      </Badge>
    ),
    sortValue: (r) => r.status,
  },
  { key: 'actions', label: 'Actions', render: (r) => <Actions r={r} /> },
];

/** Session recordings the user may play (newest first): Play, Watch live (running SSH sessions), Download. */
export function RecordingsPage() {
  const { api } = usePortalSession();
  const data = useAsync(() => listRecordings(api), [api]);
  return <ResourcePage title="Recordings" data={data} columns={COLUMNS} rowKey={(r) => r.sessionId} emptyText="No recordings you can play" />;
}
