import type { Page } from 'playwright-core';

/**
 * Browser RDP helpers for end-to-end tests: what IronRDP drew on its canvas, and typing through it by
 * physical key (the client sends scancodes from KeyboardEvent.code, so shifted characters need Shift).
 */

export interface CanvasColour {
  width: number;
  height: number;
  /** Share of the canvas' pixels within `tolerance` of the colour (0–1). */
  share: number;
}

/** How much of the remote desktop's canvas (inside <iron-remote-desktop>'s shadow root) has `hex`. */
export function canvasColourShare(page: Page, hex: string, tolerance = 6): Promise<CanvasColour> {
  return page.evaluate(
    ({ hex, tolerance }) => {
      const canvas = document.querySelector('iron-remote-desktop')?.shadowRoot?.querySelector('canvas');
      // IronRDP draws with a 2D context (softbuffer); asking again returns the same one.
      const ctx = canvas?.getContext('2d');
      if (!canvas || !ctx || canvas.width === 0 || canvas.height === 0) return { width: 0, height: 0, share: 0 };
      const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let hits = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - want[0]!) <= tolerance && Math.abs(data[i + 1]! - want[1]!) <= tolerance && Math.abs(data[i + 2]! - want[2]!) <= tolerance) hits++;
      return { width: canvas.width, height: canvas.height, share: hits / (data.length / 4) };
    },
    { hex, tolerance },
  );
}

const SHIFTED: Record<string, string> = { _: 'Minus', '!': 'Digit1', '@': 'Digit2', '#': 'Digit3', $: 'Digit4', '%': 'Digit5', '^': 'Digit6', '&': 'Digit7', '*': 'Digit8', '(': 'Digit9', ')': 'Digit0', '+': 'Equal', ':': 'Semicolon', '"': 'Quote', '<': 'Comma', '>': 'Period', '?': 'Slash', '|': 'Backslash', '~': 'Backquote' };
const PLAIN: Record<string, string> = { '-': 'Minus', '=': 'Equal', ' ': 'Space', '.': 'Period', ',': 'Comma', '/': 'Slash', ';': 'Semicolon', "'": 'Quote', '\\': 'Backslash', '`': 'Backquote' };

/** The Playwright key press for one character on a US layout ("Shift+KeyV" for "V"). */
export function keyFor(char: string): string {
  if (/^[a-z]$/.test(char)) return `Key${char.toUpperCase()}`;
  if (/^[A-Z]$/.test(char)) return `Shift+Key${char}`;
  if (/^[0-9]$/.test(char)) return `Digit${char}`;
  if (PLAIN[char]) return PLAIN[char];
  if (SHIFTED[char]) return `Shift+${SHIFTED[char]}`;
  throw new Error(`No key for ${JSON.stringify(char)}`);
}

/** Types `text` into the remote desktop (which must have the keyboard focus) key by key. */
export async function typeOnDesktop(page: Page, text: string): Promise<void> {
  for (const char of text) await page.keyboard.press(keyFor(char), { delay: 15 });
}

/** Gives the remote desktop the keyboard: the pointer entering the canvas focuses it. */
export async function focusDesktop(page: Page): Promise<void> {
  const canvas = page.locator('iron-remote-desktop canvas');
  await canvas.waitFor();
  const box = await canvas.boundingBox();
  if (box) await page.mouse.move(box.x + box.width - 3, box.y + box.height - 3);
}
