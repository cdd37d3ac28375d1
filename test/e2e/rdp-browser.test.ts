import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { launchChromium } from '../helpers/browser.js';
import { replaceOneTimePassword, submitSignIn } from '../helpers/portal.js';
import { canvasColourShare, focusDesktop, typeOnDesktop } from '../helpers/rdp-desktop.js';
import { execInVm, readTestbed, testbedVm, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Browser RDP end to end (issue 5): Chromium against the built bastion and the testbed's real RDP
 * servers. Portal → VM → Connect → "Connect using Bastion" (RDP) → IronRDP in the page, through the
 * RDCleanPath relay; the test reads the canvas and looks for the colour the VM's desktop is known to have.
 */

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Rdp-admin-password-42';
/** At least this share of the canvas must be the desktop colour (the rest: the xterm, the cursor). */
const DESKTOP_SHARE = 0.3;

const poll = <T>(read: () => Promise<T>, timeout = 30_000) => expect.poll(read, { timeout, interval: 250 });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), animations: 'disabled' });

describe('Browser RDP in Chromium against the testbed', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const wasmRequests: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    bastion = await startBastionProcess({ configYaml: readFileSync(testbed.inventoryPath, 'utf8') });
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('request', (r) => r.url().endsWith('.wasm') && wasmRequests.push(r.url()));
    await page.goto(`${bastion.url}/portal/vms`);
    await submitSignIn(page, bastion.firstAdmin!.username, bastion.firstAdmin!.password);
    await replaceOneTimePassword(page, bastion.firstAdmin!.password, ADMIN_PASSWORD);
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'rdp-server-output.txt'), bastion.output());
    await context?.close();
    await browser?.close();
    await bastion?.stop();
  });

  const dialog = () => page.getByRole('dialog', { name: 'Connect using Bastion' });
  const status = () => page.getByRole('status', { name: 'Connection status' });

  /** Portal → VM → Connect → RDP with these credentials, in this tab. */
  async function connect(vm: string, password: string, port?: number): Promise<void> {
    await page.goto(`${bastion.url}/portal/vms`);
    await page.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: vm, exact: true }).click();
    await page.getByRole('heading', { name: vm, level: 1 }).waitFor();
    const button = page.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Connect' });
    await poll(() => button.isEnabled(), 15_000).toBe(true);
    await button.click();
    await dialog().waitFor();
    await dialog().getByLabel('Protocol').selectOption('rdp');
    if (port !== undefined) await dialog().getByLabel('Port').fill(String(port));
    await dialog().getByLabel('Username').fill(testbed.user);
    await dialog().getByLabel('VM Password').fill(password);
    await dialog().getByLabel('Open in new browser tab').uncheck();
    await dialog().getByRole('button', { name: 'Connect' }).click();
  }

  it('the portal does not load the RDP client (WASM) before an RDP session opens', () => {
    expect(wasmRequests).toEqual([]);
  });

  it('vm-nla (freerdp-shadow, NLA/CredSSP): the desktop is drawn in its colour', async () => {
    const vm = testbedVm(testbed, 'vm-nla');
    await connect('vm-nla', testbed.password);
    await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await status().textContent()).toContain(`vm-nla·${testbed.user}`);
    await poll(async () => (await canvasColourShare(page, vm.rdp!.desktopColor)).share).toBeGreaterThan(DESKTOP_SHARE);
    await shoot(page, 'rdp-nla-desktop.png');
    expect(wasmRequests.length).toBe(1);
  });

  it('vm-xrdp (TLS): past xrdp’s login dialog (password typed through the canvas), the desktop is drawn in its colour', async () => {
    const vm = testbedVm(testbed, 'vm-xrdp');
    await connect('vm-xrdp', testbed.password);
    await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    // IronRDP does not ask for autologon, so xrdp shows its own dialog with the user name filled in and
    // the password box focused: the password goes in by physical key, as a user would type it.
    await poll(async () => (await canvasColourShare(page, '#000000', 255)).width).toBeGreaterThan(0);
    await page.waitForTimeout(1_500);
    await shoot(page, 'rdp-xrdp-login.png');
    await focusDesktop(page);
    await typeOnDesktop(page, testbed.password);
    await page.keyboard.press('Enter');
    await poll(async () => (await canvasColourShare(page, vm.rdp!.desktopColor)).share, 45_000).toBeGreaterThan(DESKTOP_SHARE);
    await shoot(page, 'rdp-xrdp-desktop.png');
  });

  it('vm-xrdp: a click on the xterm and typed text reach the VM (a file written by the VM’s shell)', async () => {
    const marker = `typed-${Date.now()}`;
    const box = (await page.locator('iron-remote-desktop canvas').boundingBox())!;
    // The testbed's xterm sits at (40, 40) on the VM's desktop, 100×30 characters.
    await page.mouse.click(box.x + 200, box.y + 200);
    await typeOnDesktop(page, `echo ${marker} > /tmp/rdp-typed.txt`);
    await page.keyboard.press('Enter');
    await poll(async () => (await execInVm('vm-xrdp', 'cat /tmp/rdp-typed.txt 2>/dev/null')).stdout.trim(), 15_000).toBe(marker);
  });

  it('vm-xrdp: Ctrl+Shift+Alt moves the keyboard to the toolbar and back', async () => {
    const active = () => page.evaluate(() => document.activeElement?.tagName.toLowerCase() + ':' + (document.activeElement?.textContent ?? ''));
    const chord = async () => {
      for (const k of ['Control', 'Shift', 'Alt']) await page.keyboard.down(k);
      for (const k of ['Alt', 'Shift', 'Control']) await page.keyboard.up(k);
    };
    expect(await active()).toMatch(/^iron-remote-desktop:/);
    await chord();
    expect(await active()).toBe('button:Keys');
    await chord();
    expect(await active()).toMatch(/^iron-remote-desktop:/);
  });

  it('vm-xrdp: the remote desktop follows the size of the tab (display control)', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await poll(async () => (await canvasColourShare(page, '#000000', 255)).width, 20_000).toBe(1024);
    await shoot(page, 'rdp-xrdp-resized.png');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('vm-weston (TLS): the desktop is drawn in its colour', async () => {
    const vm = testbedVm(testbed, 'vm-weston');
    await connect('vm-weston', testbed.password);
    await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await poll(async () => (await canvasColourShare(page, vm.rdp!.desktopColor)).share).toBeGreaterThan(DESKTOP_SHARE);
    await shoot(page, 'rdp-weston-desktop.png');
  });

  it('a wrong NLA password ends with a clear message and a Reconnect button; the relay stays up', async () => {
    await connect('vm-nla', 'not-the-password');
    await page.getByRole('button', { name: 'Reconnect' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('alert', { name: 'Session ended' }).textContent()).toMatch(/password/i);
    await shoot(page, 'rdp-nla-wrong-password.png');
    // The next session still works.
    await connect('vm-nla', testbed.password);
    await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
  });

  it('a port where no RDP server listens gives a clear error', async () => {
    await page.goto(`${bastion.url}/portal/vms`);
    await connect('vm-nla', testbed.password, 3390);
    await page.getByRole('button', { name: 'Reconnect' }).waitFor({ timeout: 40_000 });
    expect(await page.getByRole('alert', { name: 'Session ended' }).textContent()).toMatch(/refused the connection|cannot reach the VM/);
    await shoot(page, 'rdp-refused.png');
  });

  it('serves the third-party notices, with the Rust crates of the WASM', async () => {
    const res = await page.request.get(`${bastion.url}/third-party-notices.txt`);
    expect(res.status()).toBe(200);
    const text = await res.text();
    expect(text).toContain('@devolutions/iron-remote-desktop-rdp');
    expect(text).toMatch(/RUST CRATES COMPILED INTO THE WEBASSEMBLY/);
    expect(text).toMatch(/^sspi \d/m);
  });
});
