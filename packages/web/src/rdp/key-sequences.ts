/**
 * Keys the browser cannot send by itself (the OS or the browser takes them first), as RDP scancode
 * sequences, and the local Ctrl+Shift+Alt shortcut that moves the keyboard between the remote desktop
 * and the page (as in Azure Bastion). Pure: the session turns these into IronRDP DeviceEvents.
 *
 * Scancodes are Set 1 "make" codes as IronRDP takes them: extended keys carry 0xE0 in the high byte.
 * They name physical keys, so they do the same whatever keyboard layout the browser or the VM uses.
 */

export const SCANCODE = {
  ControlLeft: 0x1d,
  ShiftLeft: 0x2a,
  AltLeft: 0x38,
  Tab: 0x0f,
  Delete: 0xe053,
  MetaLeft: 0xe05b,
} as const;

export interface KeyStroke {
  scancode: number;
  pressed: boolean;
}

/** Presses the keys in order, then releases them in reverse order (how a person does a chord). */
export function chord(...scancodes: number[]): KeyStroke[] {
  return [...scancodes.map((scancode) => ({ scancode, pressed: true })), ...[...scancodes].reverse().map((scancode) => ({ scancode, pressed: false }))];
}

export type SpecialKey = 'ctrl-alt-del' | 'windows' | 'alt-tab';

export const SPECIAL_KEYS: Readonly<Record<SpecialKey, { label: string; strokes: KeyStroke[] }>> = {
  'ctrl-alt-del': { label: 'Ctrl+Alt+Del', strokes: chord(SCANCODE.ControlLeft, SCANCODE.AltLeft, SCANCODE.Delete) },
  windows: { label: 'Windows key', strokes: chord(SCANCODE.MetaLeft) },
  'alt-tab': { label: 'Alt+Tab', strokes: chord(SCANCODE.AltLeft, SCANCODE.Tab) },
};

const TOGGLE_MODIFIERS = new Set(['Control', 'Shift', 'Alt']);

/** The part of a KeyboardEvent the detector reads (so tests need no DOM). */
export interface KeyLike {
  type: string;
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  repeat?: boolean;
}

/**
 * Detects Ctrl+Shift+Alt pressed together (in any order, nothing else): true on the keydown that
 * completes the chord, once per chord (auto-repeat and further keydowns of the held keys do not fire it
 * again until all three have been released).
 */
export class FocusToggleDetector {
  #armed = true;

  /** Feed every keydown and keyup; returns true when the page should toggle keyboard focus. */
  onKey(event: KeyLike): boolean {
    const allHeld = event.ctrlKey && event.shiftKey && event.altKey && !event.metaKey;
    if (event.type === 'keyup') {
      // The chord is over once all three are up again (a keyup reports the state after the release).
      if (!event.ctrlKey && !event.shiftKey && !event.altKey) this.#armed = true;
      return false;
    }
    if (event.type !== 'keydown' || event.repeat || !TOGGLE_MODIFIERS.has(event.key) || !allHeld || !this.#armed) return false;
    this.#armed = false;
    return true;
  }

  /** After a blur: keyups may never arrive, so start over. */
  reset(): void {
    this.#armed = true;
  }
}
