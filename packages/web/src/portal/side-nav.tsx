import { Link, NavDrawer, NavDrawerBody, NavDrawerFooter, NavItem, makeStyles, tokens } from '@fluentui/react-components';
import { Desktop20Regular, History20Regular, PlugConnected20Regular, Video20Regular, People20Regular, PersonKey20Regular, ShieldKeyhole20Regular, VirtualNetwork20Regular } from '@fluentui/react-icons';
import type { JSX } from 'react';
import type { User } from '../../../protocol/src/api-types.js';
import { handleLinkClick } from '../routing/link-click.js';
import { visiblePages, type PortalPageId } from '../routing/routes.js';

const ICONS: Record<PortalPageId, JSX.Element> = {
  vms: <Desktop20Regular />,
  vnets: <VirtualNetwork20Regular />,
  bastions: <ShieldKeyhole20Regular />,
  iam: <PersonKey20Regular />,
  users: <People20Regular />,
  audit: <History20Regular />,
  recordings: <Video20Regular />,
  sessions: <PlugConnected20Regular />,
};

const useStyles = makeStyles({
  drawer: { gridArea: 'nav', height: '100%', width: '220px' },
  footer: { padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`, fontSize: tokens.fontSizeBase200 },
});

/** The left navigation ("Portal navigation"); Access control, Users and Audit log follow `user.permissions`. */
export function SideNav({ current, user }: { current: PortalPageId | undefined; user: User }) {
  const styles = useStyles();
  return (
    <NavDrawer className={styles.drawer} type="inline" open selectedValue={current ?? ''} aria-label="Portal navigation">
      <NavDrawerBody>
        {visiblePages(user).map((page) => (
          <NavItem key={page.id} value={page.id} href={page.path} icon={ICONS[page.id]} onClick={(e) => handleLinkClick(e, page.path)}>
            {page.label}
          </NavItem>
        ))}
      </NavDrawerBody>
      <NavDrawerFooter className={styles.footer}>
        {/* Written by the build (scripts/notices.mjs): licences of the npm packages and Rust crates the browser runs. */}
        <Link href="/third-party-notices.txt" target="_blank" rel="noopener">
          Third-party notices
        </Link>
      </NavDrawerFooter>
    </NavDrawer>
  );
}
