import type { VirtualNetwork } from '../../../../protocol/src/api-types.js';
import { usePortalSession } from '../../auth/session-context.js';
import { NONE, addressSpaceText, subnetsText } from '../../format/resource-format.js';
import { listInFirstSubscription } from '../first-subscription.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { useAsync } from '../use-async.js';

const COLUMNS: Column<VirtualNetwork>[] = [
  { key: 'name', label: 'Name', render: (v) => v.name, sortValue: (v) => v.name },
  { key: 'resourceGroup', label: 'Resource group', render: (v) => v.resourceGroup ?? NONE, sortValue: (v) => v.resourceGroup ?? '' },
  { key: 'addressSpace', label: 'Address space', render: (v) => addressSpaceText(v.properties), sortValue: (v) => addressSpaceText(v.properties) },
  { key: 'subnets', label: 'Subnets', render: (v) => subnetsText(v.properties) },
];

export function VirtualNetworksPage() {
  const { api } = usePortalSession();
  const data = useAsync(() => listInFirstSubscription(api, api.virtualNetworks), [api]);
  return (
    <ResourcePage
      title="Virtual networks"
      data={data}
      columns={COLUMNS}
      rowKey={(v) => v.id}
      initialSortKey="name"
      emptyText="No virtual networks you can access"
    />
  );
}
