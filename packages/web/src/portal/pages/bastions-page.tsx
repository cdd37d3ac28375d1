import { useEffect, useState } from 'react';
import type { BastionHost } from '../../../../protocol/src/api-types.js';
import { usePortalSession } from '../../auth/session-context.js';
import { NONE, nameFromId } from '../../format/resource-format.js';
import { listInFirstSubscription } from '../first-subscription.js';
import { ShareableLinksPanel } from '../bastion/shareable-links-panel.js';
import { BastionConfigurationPanel } from '../bastion/bastion-configuration.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { useAsync } from '../use-async.js';

const vnetName = (b: BastionHost): string => nameFromId(b.properties.virtualNetwork?.id);

const COLUMNS: Column<BastionHost>[] = [
  { key: 'name', label: 'Name', render: (b) => b.name, sortValue: (b) => b.name },
  { key: 'resourceGroup', label: 'Resource group', render: (b) => b.resourceGroup ?? NONE, sortValue: (b) => b.resourceGroup ?? '' },
  { key: 'virtualNetwork', label: 'Virtual network', render: vnetName, sortValue: vnetName },
];

export function BastionsPage() {
  const { api } = usePortalSession();
  const data = useAsync(() => listInFirstSubscription(api, api.bastionHosts), [api]);
  // The panels stay while a reload (after Save) runs, so the outcome they show is not lost with them.
  const [shown, setShown] = useState<BastionHost[] | undefined>();
  const ready = data.status === 'ready' ? data.data : undefined;
  useEffect(() => {
    if (ready) setShown(ready);
  }, [ready]);
  return (
    <>
      <ResourcePage title="Bastions" data={data} columns={COLUMNS} rowKey={(b) => b.id} initialSortKey="name" emptyText="No bastions you can access" />
      {shown && shown.length > 0 ? <BastionConfigurationPanel bastions={shown} saved={data.reload} /> : null}
      {shown && shown.length > 0 ? <ShareableLinksPanel bastions={shown} /> : null}
    </>
  );
}
