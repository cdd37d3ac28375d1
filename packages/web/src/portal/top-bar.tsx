import { Avatar, Button, Menu, MenuGroup, MenuGroupHeader, MenuItem, MenuList, MenuPopover, MenuTrigger, makeStyles, tokens } from '@fluentui/react-components';
import { Navigation20Regular, ShieldKeyhole20Filled, SignOut20Regular } from '@fluentui/react-icons';
import type { User } from '../../../protocol/src/api-types.js';
import { handleLinkClick } from '../routing/link-click.js';
import { ACCOUNT_PATH, DEFAULT_PORTAL_PATH } from '../routing/routes.js';
import { navigate } from '../routing/history-store.js';
import { Key20Regular, Password20Regular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  bar: {
    gridArea: 'top',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    height: '48px',
    padding: `0 ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    color: 'inherit',
    textDecoration: 'none',
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
  },
  start: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalXS },
  account: { color: tokens.colorNeutralForegroundOnBrand, ':hover': { color: tokens.colorNeutralForegroundOnBrand } },
});

export interface TopBarProps {
  user: User;
  signOut(): void;
  navOpen: boolean;
  /** Shows or hides the portal navigation (on phones it is hidden until opened here). */
  toggleNav(): void;
}

/** Menu button and product name on the left, the signed-in user and the Sign out menu on the right. */
export function TopBar({ user, signOut, navOpen, toggleNav }: TopBarProps) {
  const styles = useStyles();
  return (
    <header className={styles.bar}>
      <div className={styles.start}>
        <Button appearance="transparent" className={styles.account} icon={<Navigation20Regular />} aria-label="Navigation menu" aria-expanded={navOpen} onClick={toggleNav} />
        <a className={styles.brand} href={DEFAULT_PORTAL_PATH} onClick={(e) => handleLinkClick(e, DEFAULT_PORTAL_PATH)}>
          <ShieldKeyhole20Filled aria-hidden />
          Bastion
        </a>
      </div>
      <Menu positioning="below-end">
        <MenuTrigger disableButtonEnhancement>
          <Button
            appearance="transparent"
            className={styles.account}
            aria-label={`Account: ${user.displayName}`}
            // No initials: text inside the button that its name ("Account: …") does not contain confuses voice control (WCAG 2.5.3).
            icon={<Avatar size={24} color="brand" aria-hidden />}
            iconPosition="after"
          >
            {user.displayName}
          </Button>
        </MenuTrigger>
        <MenuPopover>
          <MenuList>
            <MenuGroup>
              <MenuGroupHeader>
                Signed in as {user.username}
                {user.isAdmin ? ' (admin)' : ''}
              </MenuGroupHeader>
              <MenuItem icon={<Password20Regular />} onClick={() => navigate(ACCOUNT_PATH)}>
                Change password
              </MenuItem>
              <MenuItem icon={<Key20Regular />} onClick={() => navigate(ACCOUNT_PATH)}>
                API tokens
              </MenuItem>
              <MenuItem icon={<SignOut20Regular />} onClick={signOut}>
                Sign out
              </MenuItem>
            </MenuGroup>
          </MenuList>
        </MenuPopover>
      </Menu>
    </header>
  );
}
