import type { JSX } from 'react';
import type { PortalPage, PortalPageId } from '../routing/routes.js';
import { MessagePage } from './message-page.js';
import { AuditLogPage } from './pages/audit-log-page.js';
import { BastionsPage } from './pages/bastions-page.js';
import { UsersPage } from './pages/users-page.js';
import { VirtualMachinesPage } from './pages/virtual-machines-page.js';
import { VirtualNetworksPage } from './pages/virtual-networks-page.js';

const PAGES: Record<PortalPageId, () => JSX.Element> = {
  vms: VirtualMachinesPage,
  vnets: VirtualNetworksPage,
  bastions: BastionsPage,
  users: UsersPage,
  audit: AuditLogPage,
};

/** The content area for a route: the page, or "Page not found" / "Access denied". */
export function PortalPageContent({ page, isAdmin }: { page: PortalPage | undefined; isAdmin: boolean }) {
  if (!page) return <MessagePage title="Page not found" message="There is no portal page at this address. Pick one from the navigation." />;
  if (page.adminOnly && !isAdmin) return <MessagePage title="Access denied" message="Only administrators can see this page." />;
  const Page = PAGES[page.id];
  return <Page />;
}
