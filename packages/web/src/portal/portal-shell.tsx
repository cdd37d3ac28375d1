import { makeStyles, tokens } from '@fluentui/react-components';
import { usePortalSession } from '../auth/session-context.js';
import type { PortalPage } from '../routing/routes.js';
import { PortalPageContent } from './portal-page-content.js';
import { SideNav } from './side-nav.js';
import { TopBar } from './top-bar.js';

const useStyles = makeStyles({
  shell: {
    display: 'grid',
    gridTemplateAreas: '"top top" "nav main"',
    gridTemplateColumns: 'auto 1fr',
    gridTemplateRows: 'auto 1fr',
    height: '100vh',
  },
  main: { gridArea: 'main', overflow: 'auto', backgroundColor: tokens.colorNeutralBackground2 },
});

/** Top bar, left navigation and the current page. */
export function PortalShell({ page }: { page: PortalPage | undefined }) {
  const styles = useStyles();
  const { user, signOut } = usePortalSession();
  return (
    <div className={styles.shell}>
      <TopBar user={user} signOut={() => void signOut()} />
      <SideNav current={page?.id} isAdmin={user.isAdmin} />
      <main className={styles.main}>
        <PortalPageContent key={page?.id ?? 'not-found'} page={page} isAdmin={user.isAdmin} />
      </main>
    </div>
  );
}
