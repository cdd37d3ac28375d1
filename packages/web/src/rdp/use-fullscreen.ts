import { useCallback, useEffect, useState, type RefObject } from 'react';

interface KeyboardLock {
  lock?: (codes?: string[]) => Promise<void>;
  unlock?: () => void;
}
const keyboardApi = (): KeyboardLock | undefined => (navigator as Navigator & { keyboard?: KeyboardLock }).keyboard;

/**
 * Full screen for the element in `ref`. In full screen the keyboard is locked where the browser allows it
 * (Chromium), so the Windows key, Alt+Tab and Esc reach the VM; holding Esc leaves full screen.
 */
export function useFullscreen(ref: RefObject<HTMLElement | null>): { fullscreen: boolean; toggle: () => void } {
  const [fullscreen, setFullscreen] = useState(false);

  useEffect(() => {
    const onChange = () => {
      const active = document.fullscreenElement !== null && document.fullscreenElement === ref.current;
      setFullscreen(active);
      if (active) keyboardApi()?.lock?.().catch(() => undefined);
      else keyboardApi()?.unlock?.();
    };
    document.addEventListener('fullscreenchange', onChange);
    return () => {
      document.removeEventListener('fullscreenchange', onChange);
      if (document.fullscreenElement && document.fullscreenElement === ref.current) void document.exitFullscreen().catch(() => undefined);
      keyboardApi()?.unlock?.();
    };
  }, [ref]);

  const toggle = useCallback(() => {
    const element = ref.current;
    if (!element) return;
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void element.requestFullscreen().catch(() => undefined);
  }, [ref]);

  return { fullscreen, toggle };
}
