import type { JSX } from 'react';
import type { User } from '../../../protocol/src/api-types.js';
import { canSeePage, type PortalPageId, type PortalRoute } from '../routing/routes.js';
import { MessagePage } from './message-page.js';
import { AccessControlPage } from './pages/access-control-page.js';
import { AuditLogPage } from './pages/audit-log-page.js';
import { BastionsPage } from './pages/bastions-page.js';
import { SessionsPage } from './pages/sessions-page.js';
import { UsersPage } from './pages/users-page.js';
import { VirtualMachinesPage } from './pages/virtual-machines-page.js';
import { VirtualNetworksPage } from './pages/virtual-networks-page.js';
import { VmPage } from './vm/vm-page.js';
import { AccountPage } from './pages/account-page.js';
import { KeyVaultsPage } from './pages/key-vaults-page.js';
import { RecordingView } from '../recordings/recording-view.js';
import { RecordingsPage } from '../recordings/recordings-page.js';

const PAGES: Record<Exclude<PortalPageId, 'iam'>, () => JSX.Element> = {
  vms: VirtualMachinesPage,
  vnets: VirtualNetworksPage,
  bastions: BastionsPage,
  users: UsersPage,
  audit: AuditLogPage,
  recordings: RecordingsPage,
  sessions: SessionsPage,
  vaults: KeyVaultsPage,
  account: AccountPage,
};

/** The content area for a route: the page, or "Page not found" / "Access denied". */
export function PortalPageContent({ route, user }: { route: PortalRoute; user: User }) {
  const { page, vm, scope } = route;
  if (!page) return <MessagePage title="Page not found" message="There is no portal page at this address. Pick one from the navigation." />;
  if (page.restricted && !canSeePage(page, user)) return <MessagePage title="Access denied" message="You do not have permission to see this page." />;
  if (vm) return <VmPage resourceGroup={vm.resourceGroup} name={vm.name} tab={vm.tab} />;
  if (route.recording) return <RecordingView sessionId={route.recording.sessionId} view={route.recording.view} />;
  if (page.id === 'iam') return <AccessControlPage scope={scope} />;
  const Page = PAGES[page.id];
  return <Page />;
}
