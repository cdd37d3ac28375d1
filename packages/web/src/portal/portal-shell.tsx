import { makeStyles, tokens } from '@fluentui/react-components';
import { usePortalSession } from '../auth/session-context.js';
import type { PortalRoute } from '../routing/routes.js';
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

/** A new key for each page, VM or scope, so pages start afresh (tabs of one VM keep it). */
const contentKey = (route: PortalRoute): string =>
  [route.page?.id ?? 'not-found', route.vm?.resourceGroup, route.vm?.name, route.scope].map((part) => part ?? '').join('|');

/** Top bar, left navigation and the current page. */
export function PortalShell({ route }: { route: PortalRoute }) {
  const styles = useStyles();
  const { user, signOut } = usePortalSession();
  return (
    <div className={styles.shell}>
      <TopBar user={user} signOut={() => void signOut()} />
      <SideNav current={route.page?.id} user={user} />
      <main className={styles.main}>
        <PortalPageContent key={contentKey(route)} route={route} user={user} />
      </main>
    </div>
  );
}
