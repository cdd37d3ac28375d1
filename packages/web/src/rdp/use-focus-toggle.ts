import { useEffect, useRef } from 'react';
import { FocusToggleDetector } from './key-sequences.js';

/**
 * Azure Bastion's Ctrl+Shift+Alt: moves the keyboard from the remote desktop to the page (calling
 * `leave`) and back (`enter`). Listens in the capture phase on window, before the remote desktop's own
 * listener, so the keydown that completes the chord never reaches the VM.
 */
export function useFocusToggle(handlers: { inDesktop: () => boolean; leave: () => void; enter: () => void }): void {
  const ref = useRef(handlers);
  ref.current = handlers;

  useEffect(() => {
    const detector = new FocusToggleDetector();
    const onKey = (event: KeyboardEvent) => {
      if (!detector.onKey(event)) return;
      event.preventDefault();
      event.stopPropagation();
      if (ref.current.inDesktop()) ref.current.leave();
      else ref.current.enter();
    };
    const onBlur = () => detector.reset();
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('keyup', onKey, true);
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('keyup', onKey, true);
      window.removeEventListener('blur', onBlur);
    };
  }, []);
}
