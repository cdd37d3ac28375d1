import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The text on the terminal's screen (TerminalView exposes it on its host element for automation). */
export function screenText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const host = document.querySelector('.xterm')?.parentElement as (HTMLElement & { readScreenText?: () => string }) | null;
    return host?.readScreenText?.() ?? '';
  });
}

/** The screen's lines, trimmed. */
export const screenLines = async (page: Page): Promise<string[]> => (await screenText(page)).split('\n').map((l) => l.trim());

/** Waits until the terminal's status line says Connected. */
export async function waitConnected(page: Page, timeout = 20_000): Promise<void> {
  await page.getByRole('status', { name: 'Connection status' }).getByText('Connected', { exact: true }).waitFor({ timeout });
}

/** Types a command line into the terminal (it has the keyboard focus once connected). */
export async function typeLine(page: Page, line: string): Promise<void> {
  await page.locator('.xterm').first().click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** Waits for a shell prompt (`…$`) on the last non-empty line: typing earlier would race the shell's start. */
export async function waitForPrompt(page: Page, timeout = 15_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const lines = (await screenLines(page)).filter((l) => l.length > 0);
        return /[$#]$/.test(lines.at(-1) ?? '');
      },
      { timeout, interval: 100 },
    )
    .toBe(true);
}

/** Runs `command` with a unique marker and returns the output line(s) between the markers. */
export async function runInTerminal(page: Page, command: string, timeout = 15_000): Promise<string[]> {
  await waitForPrompt(page, timeout);
  const marker = `M${Math.random().toString(36).slice(2, 8)}`;
  // Quotes split the markers on the typed line, so only the shell's output shows them whole.
  await typeLine(page, `echo ${marker}-be''gin; ${command}; echo ${marker}-e''nd`);
  let lines: string[] = [];
  await expect
    .poll(
      async () => {
        lines = await screenLines(page);
        const begin = lines.lastIndexOf(`${marker}-begin`);
        return begin >= 0 && lines.indexOf(`${marker}-end`, begin) > begin;
      },
      { timeout, interval: 100 },
    )
    .toBe(true);
  const begin = lines.lastIndexOf(`${marker}-begin`);
  return lines.slice(begin + 1, lines.indexOf(`${marker}-end`, begin));
}
