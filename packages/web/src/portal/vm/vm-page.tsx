import { Caption1, MessageBar, MessageBarBody, Spinner, Tab, TabList, Title2 } from '@fluentui/react-components';
import { useEffect } from 'react';
import { vmIdFor } from '../../access/scopes.js';
import { ApiError, CLIENT_ERROR_CODES } from '../../api/api-error.js';
import { usePortalSession } from '../../auth/session-context.js';
import { navigate } from '../../routing/history-store.js';
import { vmPath, type VmTab } from '../../routing/routes.js';
import { firstSubscription } from '../first-subscription.js';
import { usePageStyles } from '../page-styles.js';
import { useAsync } from '../use-async.js';
import { VmAccessControl } from './vm-access-control.js';
import { VmOverview } from './vm-overview.js';

const TAB_LABELS: Record<VmTab, string> = { overview: 'Overview', iam: 'Access control (IAM)' };

/** The VM's ID in the (first) subscription; an ApiError with a readable message for impossible names. */
function vmIdOrError(subscriptionId: string, resourceGroup: string, name: string): string {
  try {
    return vmIdFor(subscriptionId, resourceGroup, name);
  } catch (error) {
    throw new ApiError(404, CLIENT_ERROR_CODES.http, error instanceof Error ? error.message : 'Not found.');
  }
}

export interface VmPageProps {
  resourceGroup: string;
  name: string;
  tab: VmTab;
}

/**
 * One virtual machine (`/portal/vms/<rg>/<name>[/iam]`): heading = VM name, then the tabs Overview
 * (command bar with Connect, connect check, essentials) and Access control (IAM).
 */
export function VmPage({ resourceGroup, name, tab }: VmPageProps) {
  const styles = usePageStyles();
  const { api } = usePortalSession();
  useEffect(() => {
    document.title = `${name} - Bastion`;
  }, [name]);

  const target = useAsync(async () => {
    const subscription = await firstSubscription(api);
    return { subscription, vmId: vmIdOrError(subscription.subscriptionId, resourceGroup, name) };
  }, [api, resourceGroup, name]);

  return (
    <section className={styles.page} aria-labelledby="page-title">
      <div>
        <Caption1>Virtual machine</Caption1>
        <Title2 as="h1" id="page-title" block>
          {name}
        </Title2>
      </div>
      <TabList aria-label="Virtual machine" selectedValue={tab} onTabSelect={(_, data) => navigate(vmPath(resourceGroup, name, data.value as VmTab))}>
        {(Object.keys(TAB_LABELS) as VmTab[]).map((value) => (
          <Tab key={value} value={value}>
            {TAB_LABELS[value]}
          </Tab>
        ))}
      </TabList>
      {target.status === 'loading' ? <Spinner label="Loading…" labelPosition="after" size="small" /> : null}
      {target.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{target.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {target.status === 'ready' ? (
        <div role="tabpanel" aria-label={TAB_LABELS[tab]} className={styles.panel}>
          {tab === 'overview' ? (
            <VmOverview vmId={target.data.vmId} />
          ) : (
            <VmAccessControl vmId={target.data.vmId} subscription={target.data.subscription} />
          )}
        </div>
      ) : null}
    </section>
  );
}
