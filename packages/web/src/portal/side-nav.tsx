import { Link, NavDrawer, NavDrawerBody, NavDrawerFooter, NavItem, makeStyles, tokens } from '@fluentui/react-components';
import { Desktop20Regular, History20Regular, PlugConnected20Regular, Video20Regular, People20Regular, PersonKey20Regular, ShieldKeyhole20Regular, VirtualNetwork20Regular } from '@fluentui/react-icons';
import { LockClosedKey20Regular, Person20Regular } from '@fluentui/react-icons';
import type { JSX, MouseEvent } from 'react';
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
  vaults: <LockClosedKey20Regular />,
  account: <Person20Regular />,
};

const useStyles = makeStyles({
  // Wide enough for the longest label on one line; labels never wrap (an ellipsis if a new one is longer).
  drawer: { gridArea: 'nav', height: '100%', width: '240px' },
  item: { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' },
  footer: { padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`, fontSize: tokens.fontSizeBase200 },
});

export interface SideNavProps {
  current: PortalPageId | undefined;
  user: User;
  /** Phones: a drawer over the page that closes after a choice (Esc or a click outside too). */
  overlay: boolean;
  open: boolean;
  setOpen(open: boolean): void;
}

/**
 * The left navigation ("Portal navigation"); Access control, Users and Audit log follow `user.permissions`.
 * `tabbable`: every item is a Tab stop (arrow keys still move too), as keyboard users expect of links.
 */
export function SideNav({ current, user, overlay, open, setOpen }: SideNavProps) {
  const styles = useStyles();
  const choose = (e: MouseEvent<HTMLElement>, path: string) => {
    handleLinkClick(e, path);
    if (overlay) setOpen(false);
  };
  return (
    <NavDrawer
      className={styles.drawer}
      type={overlay ? 'overlay' : 'inline'}
      open={open}
      onOpenChange={(_, d) => setOpen(d.open)}
      tabbable
      selectedValue={current ?? ''}
      aria-label="Portal navigation"
    >
      <NavDrawerBody>
        {visiblePages(user).map((page) => (
          <NavItem key={page.id} value={page.id} href={page.path} icon={ICONS[page.id]} onClick={(e) => choose(e, page.path)}>
            <span className={styles.item}>{page.label}</span>
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
