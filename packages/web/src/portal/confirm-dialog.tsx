import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import { useCallback, useRef, useState, type ReactNode } from 'react';

export interface ConfirmOptions {
  /** The dialog's title and accessible name, e.g. "Delete user". */
  title: string;
  /** What will happen, in words (e.g. "bob loses access at once. This cannot be undone."). */
  message: ReactNode;
  /** The destructive button's label, e.g. "Delete". */
  confirmLabel: string;
}

/**
 * The one confirmation every destructive portal action asks (issue #14): `confirm(options)` opens a modal
 * dialog and resolves true only when the user presses the named button; Cancel, Esc or closing resolve false.
 * Render `dialog` once in the component that calls `confirm`.
 */
export function useConfirm(): { confirm(options: ConfirmOptions): Promise<boolean>; dialog: ReactNode } {
  const [options, setOptions] = useState<ConfirmOptions | undefined>();
  const resolver = useRef<((ok: boolean) => void) | undefined>(undefined);
  // Opened by state, not by a DialogTrigger: focus goes back to the button that asked, by hand.
  const opener = useRef<HTMLElement | null>(null);

  const confirm = useCallback(
    (next: ConfirmOptions) =>
      new Promise<boolean>((resolve) => {
        resolver.current?.(false); // a second request replaces an unanswered one
        resolver.current = resolve;
        opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        setOptions(next);
      }),
    [],
  );
  const answer = (ok: boolean): void => {
    resolver.current?.(ok);
    resolver.current = undefined;
    setOptions(undefined);
    const back = opener.current;
    if (back) setTimeout(() => back.isConnected && back.focus(), 0);
  };

  const dialog = (
    <Dialog modalType="alert" open={options !== undefined} onOpenChange={(_e, d) => (d.open ? undefined : answer(false))}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{options?.title}</DialogTitle>
          <DialogContent>{options?.message}</DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={() => answer(true)}>
              {options?.confirmLabel}
            </Button>
            <Button appearance="secondary" onClick={() => answer(false)}>
              Cancel
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
  return { confirm, dialog };
}
