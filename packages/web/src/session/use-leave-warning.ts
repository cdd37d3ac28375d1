import { useEffect } from 'react';
import { setLeaveGuard } from '../routing/history-store.js';

const LEAVE_QUESTION = 'Leave this page? The session will be disconnected.';

/**
 * While `live`, the browser asks before the page is left (reload, closing the tab, typing another
 * address, a link out), and so does the portal on Back/Forward and its own links: leaving ends the
 * session, and the shell or desktop state with it.
 */
export function useLeaveWarning(live: boolean): void {
  useEffect(() => {
    if (!live) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = ''; // older Chromium needs a value to show its dialog
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    setLeaveGuard(() => window.confirm(LEAVE_QUESTION));
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      setLeaveGuard(null);
    };
  }, [live]);
}
