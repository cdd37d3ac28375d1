import { Link, TableCellLayout } from '@fluentui/react-components';
import { Desktop20Regular } from '@fluentui/react-icons';
import type { VirtualMachine } from '../../../../protocol/src/api-types.js';
import { usePortalSession } from '../../auth/session-context.js';
import { NONE, osTypeLabel } from '../../format/resource-format.js';
import { handleLinkClick } from '../../routing/link-click.js';
import { vmPath } from '../../routing/routes.js';
import { listInFirstSubscription } from '../first-subscription.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { TagBadges } from '../tag-badges.js';
import { useAsync } from '../use-async.js';

/** The VM's name, linking to its own page (`/portal/vms/<rg>/<name>`). */
function vmLink(vm: VirtualMachine) {
  if (!vm.resourceGroup) return vm.name;
  const href = vmPath(vm.resourceGroup, vm.name);
  return (
    <Link href={href} onClick={(e) => handleLinkClick(e, href)}>
      {vm.name}
    </Link>
  );
}

const COLUMNS: Column<VirtualMachine>[] = [
  {
    key: 'name',
    label: 'Name',
    render: (vm) => <TableCellLayout media={<Desktop20Regular aria-hidden />}>{vmLink(vm)}</TableCellLayout>,
    sortValue: (vm) => vm.name,
  },
  { key: 'resourceGroup', label: 'Resource group', render: (vm) => vm.resourceGroup ?? NONE, sortValue: (vm) => vm.resourceGroup ?? '' },
  { key: 'osType', label: 'OS type', render: (vm) => osTypeLabel(vm.properties.osType), sortValue: (vm) => vm.properties.osType },
  {
    key: 'privateIp',
    label: 'Private IP',
    render: (vm) => vm.properties.privateIPAddress ?? NONE,
    sortValue: (vm) => vm.properties.privateIPAddress ?? '',
  },
  { key: 'tags', label: 'Tags', render: (vm) => <TagBadges tags={vm.tags} /> },
];

export function VirtualMachinesPage() {
  const { api } = usePortalSession();
  const data = useAsync(() => listInFirstSubscription(api, api.virtualMachines), [api]);
  return (
    <ResourcePage
      title="Virtual machines"
      data={data}
      columns={COLUMNS}
      rowKey={(vm) => vm.id}
      initialSortKey="name"
      emptyText="No virtual machines you can access"
    />
  );
}
