import { Toolbar, ToolbarButton } from '@fluentui/react-components';
import { ArrowClockwise20Regular, PlugConnected20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { nameFromId } from '../../format/resource-format.js';
import { usePortalSession } from '../../auth/session-context.js';
import { usePageStyles } from '../page-styles.js';
import { useAsync } from '../use-async.js';
import { ConnectCheckBar } from './connect-check-bar.js';
import { ConnectDialog } from './connect-dialog.js';
import { VmEssentials } from './vm-essentials.js';

/**
 * The VM's Overview tab: command bar (Connect, Refresh), the connect check and the essentials. Connect
 * is enabled only when `bastionConnectCheck` says `allowed`; Refresh runs the check again.
 */
export function VmOverview({ vmId }: { vmId: string }) {
  const styles = usePageStyles();
  const { api } = usePortalSession();
  const vm = useAsync(() => api.virtualMachine(vmId), [api, vmId]);
  const check = useAsync(() => api.connectCheck(vmId), [api, vmId]);
  const [connecting, setConnecting] = useState(false);
  const allowed = check.status === 'ready' && check.data.allowed;
  const bastionHostId = check.status === 'ready' ? check.data.bastionHostId : null;

  const refresh = () => {
    check.reload();
    vm.reload();
  };

  return (
    <>
      <Toolbar className={styles.toolbar} aria-label="Commands">
        <ToolbarButton appearance="primary" icon={<PlugConnected20Regular />} disabled={!allowed} onClick={() => setConnecting(true)}>
          Connect
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwise20Regular />} onClick={refresh} disabled={check.status === 'loading'}>
          Refresh
        </ToolbarButton>
      </Toolbar>
      {/* A VM that cannot be read says so once (in Essentials); the connect check would repeat the same refusal. */}
      {vm.status === 'error' ? null : <ConnectCheckBar check={check} />}
      <VmEssentials vm={vm} bastionHostId={bastionHostId} />
      {connecting ? (
        <ConnectDialog
          vm={{ id: vmId, name: vm.status === 'ready' ? vm.data.name : nameFromId(vmId), osType: vm.status === 'ready' ? vm.data.properties.osType : undefined }}
          bastionHostId={bastionHostId}
          close={() => setConnecting(false)}
        />
      ) : null}
    </>
  );
}
