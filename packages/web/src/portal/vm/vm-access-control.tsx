import { useState } from 'react';
import type { Subscription } from '../../../../protocol/src/api-types.js';
import { vmScopeOptions } from '../../access/scopes.js';
import { usePortalSession } from '../../auth/session-context.js';
import { AccessControlPanel } from '../iam/access-control-panel.js';
import { useAsync } from '../use-async.js';

/**
 * The VM's Access control (IAM) tab: role assignments at the VM by default; the Scope picker also offers
 * its NICs, resource group, subscription and the bastion hosts, which is where a missing Reader is fixed.
 */
export function VmAccessControl({ vmId, subscription }: { vmId: string; subscription: Subscription }) {
  const { api } = usePortalSession();
  const [scope, setScope] = useState(vmId);
  const options = useAsync(async () => {
    // What cannot be read (the VM, the bastion list) simply is not offered.
    const [vm, bastions] = await Promise.allSettled([api.virtualMachine(vmId), api.bastionHosts(subscription.subscriptionId)]);
    return vmScopeOptions({
      vmId,
      subscription,
      nicIds: vm.status === 'fulfilled' ? (vm.value.properties.networkProfile?.networkInterfaces ?? []).map((n) => n.id) : [],
      bastionHostIds: bastions.status === 'fulfilled' ? bastions.value.map((b) => b.id) : [],
    });
  }, [api, vmId, subscription]);

  return (
    <AccessControlPanel
      scope={scope}
      scopeOptions={options.status === 'ready' ? options.data : vmScopeOptions({ vmId, subscription })}
      onScopeChange={setScope}
      subscription={subscription}
    />
  );
}
