import { Badge, Checkbox, MessageBar, MessageBarBody, Text, ToolbarButton } from '@fluentui/react-components';
import { PlugDisconnected20Regular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { userMessage } from '../../api/api-error.js';
import { usePortalSession } from '../../auth/session-context.js';
import { timeText } from '../../format/date-format.js';
import { useConfirm } from '../confirm-dialog.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { SessionActions } from '../sessions/session-actions.js';
import { bytesText, minutesText } from '../sessions/session-format.js';
import { disconnectRows, disconnectSummary, loadSessions, type SessionRow } from '../sessions/sessions-model.js';
import { useAsync } from '../use-async.js';

/**
 * Azure's Sessions blade (design 0005): the live SSH and RDP sessions through the bastions the user may
 * list (getActiveSessions), and Disconnect (disconnectActiveSessions) after a confirmation. The user of a
 * disconnected SSH session sees "You have been disconnected by an administrator".
 */
export function SessionsPage() {
  const { api } = usePortalSession();
  const data = useAsync(() => loadSessions(api), [api]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState(false);
  // The portal's one confirmation (issue #14); it gives focus back to Disconnect when it closes.
  const { confirm, dialog } = useConfirm();
  const [banner, setBanner] = useState<{ intent: 'success' | 'warning' | 'error'; text: string } | undefined>();

  const rows = data.status === 'ready' ? data.data : [];
  // Only rows still listed count: a refresh drops sessions that ended meanwhile.
  const chosen = rows.filter((r) => selected.has(r.sessionId));
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const columns = useMemo<Column<SessionRow>[]>(
    () => [
      {
        key: 'select',
        label: 'Select',
        width: '56px',
        render: (r) => <Checkbox checked={selected.has(r.sessionId)} onChange={(_, d) => toggle(r.sessionId, d.checked === true)} aria-label={`Select the session of ${r.principalName} to ${r.targetHostName}`} />,
      },
      { key: 'user', label: 'User', render: (r) => <span title={`Account on the VM: ${r.userName || '—'}`}>{r.principalName}</span>, sortValue: (r) => r.principalName },
      { key: 'source', label: 'Source IP', render: (r) => r.clientIpAddress, sortValue: (r) => r.clientIpAddress },
      { key: 'vm', label: 'VM', render: (r) => <span title={r.targetResourceId}>{r.targetHostName}</span>, sortValue: (r) => r.targetHostName },
      { key: 'target', label: 'Target IP', render: (r) => r.targetIpAddress, sortValue: (r) => r.targetIpAddress },
      { key: 'protocol', label: 'Protocol', render: (r) => <Badge appearance="tint">{r.protocol}</Badge>, sortValue: (r) => r.protocol, width: '90px' },
      { key: 'start', label: 'Start', render: (r) => <time dateTime={r.startTime}>{timeText(r.startTime)}</time>, sortValue: (r) => r.startTime, width: '190px' },
      { key: 'duration', label: 'Duration', render: (r) => minutesText(r.sessionDurationInMins), sortValue: (r) => r.sessionDurationInMins },
      // One column for both directions: eleven columns did not fit beside the navigation at 1366 px.
      { key: 'bytes', label: 'Data in / out', render: (r) => `${bytesText(r.bytesIn)} / ${bytesText(r.bytesOut)}`, sortValue: (r) => r.bytesIn + r.bytesOut, width: '130px' },
      { key: 'actions', label: 'Actions', render: (r) => <SessionActions session={r} /> },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps -- toggle only uses the state setter
    [selected],
  );

  const disconnect = async () => {
    const ok = await confirm({
      title: `Disconnect ${chosen.length} session${chosen.length === 1 ? '' : 's'}?`,
      message: (
        <>
          <Text as="p">The connection ends at once; the user sees that an administrator disconnected them.</Text>
          <ul>
            {chosen.map((r) => (
              <li key={r.sessionId}>
                {r.principalName} → {r.targetHostName} ({r.protocol}, from {r.clientIpAddress})
              </li>
            ))}
          </ul>
        </>
      ),
      confirmLabel: 'Disconnect',
    });
    if (!ok) return;
    setBusy(true);
    try {
      const results = await disconnectRows(api, chosen);
      setBanner(disconnectSummary(results));
      setSelected(new Set());
      data.reload();
    } catch (err) {
      setBanner({ intent: 'error', text: userMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <ResourcePage
        title="Sessions"
        data={data}
        columns={columns}
        rowKey={(r) => r.sessionId}
        emptyText="No live sessions through the bastions you can manage"
        commands={
          <ToolbarButton icon={<PlugDisconnected20Regular />} disabled={chosen.length === 0 || busy} onClick={() => void disconnect()}>
            Disconnect
          </ToolbarButton>
        }
        banner={
          banner && (
            <MessageBar intent={banner.intent} role={banner.intent === 'error' ? 'alert' : 'status'}>
              <MessageBarBody>{banner.text}</MessageBarBody>
            </MessageBar>
          )
        }
      />
      {dialog}
    </>
  );
}
