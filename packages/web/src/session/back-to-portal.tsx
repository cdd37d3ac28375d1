import { Button } from '@fluentui/react-components';
import { ArrowLeftRegular } from '@fluentui/react-icons';
import { DEFAULT_PORTAL_PATH } from '../routing/routes.js';

/**
 * The way back from a session tab to the portal. A page load, not an in-app navigation: a live session
 * is then guarded by the browser's "Leave site?" question (useLeaveWarning) like any other way out.
 */
export function BackToPortal() {
  return (
    <Button as="a" href={DEFAULT_PORTAL_PATH} size="small" appearance="subtle" icon={<ArrowLeftRegular />}>
      Portal
    </Button>
  );
}
