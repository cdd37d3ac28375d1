import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BastionAuditRecord } from '../../packages/protocol/src/bastion-audit-log.js';
import { launchChromium } from '../helpers/browser.js';
import { replaceOneTimePassword, submitSignIn } from '../helpers/portal.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { runInTerminal, screenLines, waitConnected, waitForPrompt } from '../helpers/terminal.js';
import { readTestbed, type TestbedInfo } from '../helpers/testbed.js';

/**
 * The SSH/RDP session page as a user lives with it (issue #14, items 2–6): the keys a shell user presses
 * reach the VM, a Reconnect starts on a clean screen, leaving a live session warns first and a reload
 * offers Reconnect, a normal exit reads calmly, and the RDP toolbar's Disconnect is recorded as the user's.
 * Every test starts from the address `npm start` prints and clicks its way in.
 */

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Session-page-admin-42';
const poll = <T>(read: () => Promise<T>, timeout = 20_000) => expect.poll(read, { timeout, interval: 100 });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), animations: 'disabled' });

/** Every line of the terminal's buffer, scrollback included (what scrolling up would show). */
function bufferText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const host = document.querySelector('.xterm')?.parentElement as (HTMLElement & { readBufferText?: () => string; readScreenText?: () => string }) | null;
    return host?.readBufferText?.() ?? host?.readScreenText?.() ?? '';
  });
}

/** Whether the keyboard is in the terminal (xterm's hidden textarea has the focus). */
const terminalHasFocus = (page: Page) => page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea') ?? false);

/** The keys a shell user presses, in order, and the bytes the VM must receive for each (xterm's defaults). */
const KEYS: ReadonlyArray<[key: string, bytes: string]> = [
  ['Tab', '09'],
  ['Shift+Tab', '1b5b5a'],
  ['Escape', '1b'],
  ['Control+KeyW', '17'],
  ['Control+KeyT', '14'],
  ['Control+KeyN', '0e'],
  ['F1', '1b4f50'],
  ['F5', '1b5b31357e'],
  ['F12', '1b5b32347e'],
  ['Control+KeyC', '03'],
  ['Enter', '0d'],
];

/**
 * On the VM: the terminal in raw mode, every byte read until a `z`, printed in hex after `GOT`. The
 * `READY` line (split in the typed command) says raw mode is on, so no key is taken by bash's line editor.
 */
const RAW_CAPTURE =
  `python3 -c "import os,tty,termios as t;a=t.tcgetattr(0);tty.setraw(0);print('RE'+'ADY',flush=True);` +
  `b=b''.join(iter(lambda:os.read(0,1),b'z'));t.tcsetattr(0,t.TCSADRAIN,a);print('G'+'OT',b.hex())"`;

describe('The session page in Chromium', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    bastion = await startBastionProcess({ configYaml: readFileSync(testbed.inventoryPath, 'utf8') });
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
    // The address `npm start` prints, as a newcomer opens it.
    await page.goto(`${bastion.url}/`);
    await submitSignIn(page, bastion.firstAdmin!.username, bastion.firstAdmin!.password);
    await replaceOneTimePassword(page, bastion.firstAdmin!.password, ADMIN_PASSWORD);
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'session-page-server-output.txt'), bastion.output());
    await context?.close();
    await browser?.close();
    await bastion?.stop();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shoot(page, `session-page-failed-${task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`).catch(() => undefined);
  });

  const dialog = () => page.getByRole('dialog', { name: 'Connect using Bastion' });
  const status = () => page.getByRole('status', { name: 'Connection status' });

  /** From wherever the page is: the portal's start, Virtual machines → vm → Connect, filled, in this tab. */
  async function connect(vm: string, protocol: 'ssh' | 'rdp' = 'ssh'): Promise<void> {
    const leave = (d: Dialog) => void d.accept(); // leaving a live session from an earlier test
    page.once('dialog', leave);
    await page.goto(`${bastion.url}/`);
    page.off('dialog', leave);
    await page.getByRole('navigation').getByRole('link', { name: 'Virtual machines' }).click();
    await page.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: vm, exact: true }).click();
    await page.getByRole('heading', { name: vm, level: 1 }).waitFor();
    const button = page.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Connect' });
    await poll(() => button.isEnabled()).toBe(true);
    await button.click();
    await dialog().waitFor();
    if (protocol === 'rdp') await dialog().getByLabel('Protocol').selectOption('rdp');
    await dialog().getByLabel('Username').fill(testbed.user);
    await dialog().getByLabel('VM Password').fill(testbed.password);
    await dialog().getByLabel('Open in new browser tab').uncheck();
    await dialog().getByRole('button', { name: 'Connect' }).click();
  }

  /** The newest connection record of a protocol (through the API the portal's Sessions page uses). */
  async function latestRecord(protocol: 'ssh' | 'rdp'): Promise<BastionAuditRecord | undefined> {
    const records = await page.evaluate(async () => {
      const body = (await (await fetch('/api/bastionAuditLogs')).json()) as { value?: unknown[] } | unknown[];
      return (Array.isArray(body) ? body : (body.value ?? [])) as BastionAuditRecord[];
    });
    return records.filter((r) => r.protocol === protocol).sort((a, b) => b.startTime.localeCompare(a.startTime))[0];
  }

  it('Tab completes and the keyboard stays in the terminal: Enter after it runs the line', async () => {
    await connect('vm-ssh');
    await waitConnected(page);
    await waitForPrompt(page);
    await page.locator('.xterm').first().click();
    await page.keyboard.type('echo /us');
    await page.keyboard.press('Tab');
    await page.keyboard.type('hare-CHECK');
    await page.keyboard.press('Enter');
    // bash completed /us to /usr/; the keys after Tab went to the VM too, so the line ran.
    await poll(async () => (await screenLines(page)).includes('/usr/hare-CHECK')).toBe(true);
    expect(await terminalHasFocus(page)).toBe(true);
  });

  it('Tab, Shift+Tab, Esc, Ctrl+W/T/N, F-keys, Ctrl+C and Enter all reach the VM, in order, and none moves the focus', async () => {
    await connect('vm-ssh');
    await waitConnected(page);
    await waitForPrompt(page);
    await page.locator('.xterm').first().click();
    await page.keyboard.type(RAW_CAPTURE);
    await page.keyboard.press('Enter');
    await poll(async () => (await screenLines(page)).includes('READY')).toBe(true);
    for (const [key] of KEYS) await page.keyboard.press(key);
    await page.keyboard.type('z');
    const got = async () => (await screenLines(page)).find((l) => l.startsWith('GOT '));
    await poll(got).toBeDefined();
    expect((await got())!.slice(4)).toBe(KEYS.map(([, bytes]) => bytes).join(''));
    expect(await terminalHasFocus(page)).toBe(true);
  });

  it('exit reads "Session ended", not a red error; Reconnect starts on a clean screen', async () => {
    await connect('vm-ssh');
    await waitConnected(page);
    expect(await runInTerminal(page, 'echo OLD-$((20+22))-SCREEN')).toEqual(['OLD-42-SCREEN']);
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    const ended = status().getByText('Session ended', { exact: true });
    await ended.waitFor();
    expect(await status().textContent()).not.toMatch(/status 0|Disconnected/);
    const [r, g, b] = (await ended.evaluate((el) => getComputedStyle(el).color)).match(/\d+/g)!.map(Number);
    expect(r! > 150 && g! < 100 && b! < 100, `"Session ended" is drawn in rgb(${r}, ${g}, ${b})`).toBe(false);
    await shoot(page, 'session-page-ssh-exit.png');
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await waitConnected(page);
    await waitForPrompt(page);
    // Not a line of the old session is left, on the screen or in the scrollback.
    expect(await bufferText(page)).not.toContain('OLD-42-SCREEN');
    expect(await bufferText(page)).not.toContain('exit');
    await shoot(page, 'session-page-ssh-reconnected.png');
  });

  it('leaving a live session asks first (beforeunload); once it has ended, it does not', async () => {
    await waitForPrompt(page);
    await page.locator('.xterm').first().click(); // the user has interacted with the page (Chromium asks only then)
    const dialogs: string[] = [];
    const onDialog = (d: Dialog) => {
      dialogs.push(d.type());
      void d.dismiss();
    };
    page.on('dialog', onDialog);
    await page.close({ runBeforeUnload: true });
    await poll(async () => dialogs).toEqual(['beforeunload']);
    // Staying keeps the session: the page is still there, connected and typing works.
    expect(page.isClosed()).toBe(false);
    expect(await runInTerminal(page, 'echo still-$((1+1))')).toEqual(['still-2']);
    page.off('dialog', onDialog);
  });

  it('Back on a live session asks first: Cancel keeps the session and its page', async () => {
    const asked: string[] = [];
    const cancel = (d: Dialog) => {
      asked.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    };
    page.on('dialog', cancel);
    const sessionUrl = page.url();
    await page.goBack({ waitUntil: 'commit' }).catch(() => undefined);
    await poll(async () => asked.length).toBe(1);
    page.off('dialog', cancel);
    expect(asked[0]).toBe('confirm: Leave this page? The session will be disconnected.');
    await poll(async () => page.url()).toBe(sessionUrl);
    expect(await runInTerminal(page, 'echo back-$((2+2))')).toEqual(['back-4']);
  });

  it('the SSH page has Disconnect (recorded as the user’s) and a way back to the portal', async () => {
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await status().getByText('Session ended', { exact: true }).waitFor();
    await poll(async () => (await latestRecord('ssh'))?.endReason).toBe('client_closed');
    await page.getByRole('link', { name: /portal/i }).click();
    await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
  });

  it('after a reload: Reconnect with the same settings, asking only for the password (never stored)', async () => {
    await connect('vm-ssh');
    await waitConnected(page);
    await waitForPrompt(page);
    await page.locator('.xterm').first().click();
    page.once('dialog', (d) => void d.accept());
    await page.reload();
    const stored = await page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    expect(stored).toContain('vm-ssh');
    expect(stored).not.toContain(testbed.password);
    await page.getByText(/reloaded/i).first().waitFor();
    await shoot(page, 'session-page-ssh-reload.png');
    await page.getByLabel('VM Password').fill(testbed.password);
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await waitConnected(page);
    expect(await status().textContent()).toContain(`vm-ssh·${testbed.user}`);
    expect(await runInTerminal(page, 'echo back-$((2+3))')).toEqual(['back-5']);
    expect(await page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)))).not.toContain(testbed.password);
  });

  it('RDP: the toolbar’s Disconnect is recorded as the user’s, not "closed by the VM"', async () => {
    await connect('vm-nla', 'rdp');
    await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Reconnect' }).waitFor({ timeout: 15_000 });
    await poll(async () => (await latestRecord('rdp'))?.endTime, 30_000).toBeTruthy();
    expect((await latestRecord('rdp'))?.endReason).toBe('client_closed');
  });
});
