import { makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { usePortalSession } from '../auth/session-context.js';
import type { PortalRoute } from '../routing/routes.js';
import { PortalPageContent } from './portal-page-content.js';
import { SideNav } from './side-nav.js';
import { SkipLink } from './skip-link.js';
import { TopBar } from './top-bar.js';
import { useMediaQuery } from './use-media-query.js';

const MAIN_ID = 'main-content';
/** Below this width the navigation is a drawer over the page (phones), opened from the top bar. */
const NARROW = '(max-width: 640px)';

const useStyles = makeStyles({
  shell: {
    display: 'grid',
    gridTemplateAreas: '"top top" "nav main"',
    gridTemplateColumns: 'auto minmax(0, 1fr)',
    gridTemplateRows: 'auto minmax(0, 1fr)',
    height: '100vh',
  },
  // Focused only by the skip link (tabIndex -1): no ring around the whole page.
  main: { gridArea: 'main', overflow: 'auto', minWidth: 0, backgroundColor: tokens.colorNeutralBackground2, ':focus': { outline: 'none' } },
});

/** A new key for each page, VM or scope, so pages start afresh (tabs of one VM keep it). */
const contentKey = (route: PortalRoute): string =>
  [route.page?.id ?? 'not-found', route.vm?.resourceGroup, route.vm?.name, route.scope].map((part) => part ?? '').join('|');

/** Skip link, top bar, left navigation (a drawer on phones) and the current page. */
export function PortalShell({ route }: { route: PortalRoute }) {
  const styles = useStyles();
  const { user, signOut } = usePortalSession();
  const narrow = useMediaQuery(NARROW);
  // Wide: shown unless the user hides it. Narrow: hidden until the menu button opens it.
  const [wideOpen, setWideOpen] = useState(true);
  const [narrowOpen, setNarrowOpen] = useState(false);
  const open = narrow ? narrowOpen : wideOpen;
  const setOpen = narrow ? setNarrowOpen : setWideOpen;
  return (
    <div className={styles.shell}>
      <SkipLink target={MAIN_ID} />
      <TopBar user={user} signOut={() => void signOut()} navOpen={open} toggleNav={() => setOpen(!open)} />
      <SideNav current={route.page?.id} user={user} overlay={narrow} open={open} setOpen={setOpen} />
      <main className={styles.main} id={MAIN_ID} tabIndex={-1}>
        <PortalPageContent key={contentKey(route)} route={route} user={user} />
      </main>
    </div>
  );
}
