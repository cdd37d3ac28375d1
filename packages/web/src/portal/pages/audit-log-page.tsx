import { Tab, TabList, ToolbarButton, makeStyles, tokens } from '@fluentui/react-components';
import { ArrowDownload20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { usePortalSession } from '../../auth/session-context.js';
import { AuditFilterBar } from '../audit/audit-filter-bar.js';
import { CONNECTION_COLUMNS, EVENT_COLUMNS } from '../audit/audit-columns.js';
import { connectionQuery, eventQuery, NO_FILTERS, type AuditFilters } from '../audit/audit-filters.js';
import { listInFirstSubscription } from '../first-subscription.js';
import { ResourcePage } from '../resource-page.js';
import { useAsync } from '../use-async.js';

const useStyles = makeStyles({
  head: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
});

/** Rows shown on the page; exports take up to the server's export default (10 000). */
const PAGE_LIMIT = 500;
type View = 'connections' | 'events';

/** Starts a download of a same-origin URL (the session cookie goes with it; the server names the file). */
function download(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * The audit log (design 0005): connection records (who connected to which VM, how it ended) and the
 * general audit events, with filters by user, VM, protocol, outcome and time, and exports of what the
 * filters select as CSV or JSON lines.
 */
export function AuditLogPage() {
  const { api } = usePortalSession();
  const styles = useStyles();
  const [view, setView] = useState<View>('connections');
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const vms = useAsync(() => listInFirstSubscription(api, api.virtualMachines), [api]);
  const connections = useAsync(() => (view === 'connections' ? api.connectionRecords(connectionQuery(filters, { limit: PAGE_LIMIT })) : Promise.resolve([])), [api, view, filters]);
  const events = useAsync(() => (view === 'events' ? api.auditEvents(eventQuery(filters, { limit: PAGE_LIMIT })) : Promise.resolve([])), [api, view, filters]);

  const exportAs = (format: 'csv' | 'jsonl') =>
    download(view === 'connections' ? `/api/bastionAuditLogs?${connectionQuery(filters, { format })}` : `/api/audit?${eventQuery(filters, { format })}`);
  const commands = (
    <>
      <ToolbarButton icon={<ArrowDownload20Regular />} onClick={() => exportAs('csv')}>
        Export CSV
      </ToolbarButton>
      <ToolbarButton icon={<ArrowDownload20Regular />} onClick={() => exportAs('jsonl')}>
        Export JSON lines
      </ToolbarButton>
    </>
  );
  const head = (
    <div className={styles.head}>
      <TabList selectedValue={view} onTabSelect={(_, d) => setView(d.value as View)} aria-label="Audit log views">
        <Tab value="connections">Connections</Tab>
        <Tab value="events">Events</Tab>
      </TabList>
      <AuditFilterBar key={view} applied={filters} vms={vms.status === 'ready' ? vms.data : []} showProtocol={view === 'connections'} apply={setFilters} />
    </div>
  );

  return view === 'connections' ? (
    <ResourcePage title="Audit log" data={connections} columns={CONNECTION_COLUMNS} resizableColumns rowKey={(r) => r.sessionId} emptyText="No connections match the filters" commands={commands} banner={head} />
  ) : (
    <ResourcePage title="Audit log" data={events} columns={EVENT_COLUMNS} resizableColumns rowKey={(e) => e.id} emptyText="No audit events match the filters" commands={commands} banner={head} />
  );
}
