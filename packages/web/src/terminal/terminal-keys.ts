import type { IClipboardProvider, ClipboardSelectionType } from '@xterm/addon-clipboard';

/** The terminal's own shortcuts; every other key goes to the VM. */
export type TerminalShortcut = 'search' | 'copy' | 'paste';

/** Ctrl+Shift+F/C/V are the terminal's (Ctrl+F/C/V belong to the shell: search history, interrupt, literal next). */
export function shortcutOf(event: Pick<KeyboardEvent, 'ctrlKey' | 'shiftKey' | 'altKey' | 'metaKey' | 'key'>): TerminalShortcut | undefined {
  if (!event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return undefined;
  const key = event.key.toLowerCase();
  return key === 'f' ? 'search' : key === 'c' ? 'copy' : key === 'v' ? 'paste' : undefined;
}

/**
 * Marks the terminal's element as an area whose focus Fluent's focus manager (tabster) must leave alone
 * *completely*. Without `completely`, tabster handles Tab itself on the window (capture phase, before
 * xterm sees the key): with nothing focusable after the terminal it moves the focus out of the page, so
 * the shell gets the Tab (completion works) and then every later key is lost. Fluent's
 * `useUncontrolledFocus()` gives only `{ uncontrolled: {} }`; this is the same attribute with `completely`.
 */
export const UNCONTROLLED_FOCUS_ATTRIBUTE = { 'data-tabster': JSON.stringify({ uncontrolled: { completely: true } }) } as const;

export async function writeClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Not focused or not allowed: the selection is still there for Ctrl+Shift+C / the menu.
  }
}

/**
 * OSC 52 from the VM may set the clipboard (unless copy/paste is disabled); it may never read it (that
 * would leak the user's clipboard).
 */
export const writeOnlyClipboard = (allowed: () => boolean): IClipboardProvider => ({
  readText: () => '',
  writeText: (selection: ClipboardSelectionType, text: string) => (allowed() && String(selection) === 'c' ? writeClipboard(text) : undefined),
});
