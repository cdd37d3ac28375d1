import { useEffect } from 'react';

/**
 * While `live`, the browser asks before the page is left (reload, closing the tab, typing another
 * address, a link out): leaving ends the session, and the shell or desktop state with it.
 */
export function useLeaveWarning(live: boolean): void {
  useEffect(() => {
    if (!live) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = ''; // older Chromium needs a value to show its dialog
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [live]);
}
