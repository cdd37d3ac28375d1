import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { launchChromium } from '../helpers/browser.js';
import { openPortalAsNewcomer, openPrintedUrl, openVm } from '../helpers/portal.js';
import { setDisableCopyPaste, staysOtherThan } from '../helpers/copy-paste.js';
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
const FAKE_PIN = Array.from({ length: 32 }, () => 'AB').join(':');

/**
 * Reads and writes the X clipboard of the VM's xrdp session (display :10) with xclip (a testbed package,
 * scripts/testbed/lib/services.sh); without it the test fails and says what to install.
 */
async function vmClipboard(): Promise<{ read: string; write: (text: string) => string }> {
  const x = 'DISPLAY=:10 XAUTHORITY=/home/vmuser/.Xauthority';
  const found = await execInVm('vm-xrdp', 'command -v xclip');
  if (found.code !== 0) throw new Error('xclip is not installed on the testbed VMs: run `apt-get install -y xclip` (scripts/testbed/lib/services.sh lists it).');
  // xclip -i stays in the background owning the selection: its output goes to /dev/null, or the command
  // would not end before that process does (it exits when something else takes the clipboard).
  return { read: `${x} xclip -selection clipboard -o`, write: (t) => `printf %s '${t}' | ${x} xclip -selection clipboard -i >/dev/null 2>&1` };
}

const poll = <T>(read: () => Promise<T>, timeout = 30_000) => expect.poll(read, { timeout, interval: 250 });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), animations: 'disabled' });

describe('Browser RDP in Chromium against the testbed', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const wasmRequests: string[] = [];
  /** content-encoding of each WASM response, as Chromium received it from the built dist/web (issue #14). */
  const wasmEncodings: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    bastion = await startBastionProcess({ configYaml: readFileSync(testbed.inventoryPath, 'utf8') });
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    // What a user grants when the browser asks; the RDP client then syncs the clipboard by itself.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bastion.url });
    page = await context.newPage();
    page.on('request', (r) => r.url().endsWith('.wasm') && wasmRequests.push(r.url()));
    page.on('response', (r) => r.url().endsWith('.wasm') && wasmEncodings.push(r.headers()['content-encoding'] ?? 'identity'));
    await openPortalAsNewcomer(page, bastion, { ...bastion.firstAdmin!, newPassword: ADMIN_PASSWORD });
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
    // Back from a session page as a user would: the printed URL again, then the VM by clicking.
    await openPrintedUrl(page, bastion);
    await openVm(page, vm);
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
    expect(wasmEncodings).toEqual(['br']); // 4.5 MB as ~1.1 MB (precompressed by the build)
  });

  it('vm-nla: Disconnect says so; Reconnect (a new token, a new client in the same page) draws the desktop again', async () => {
    const vm = testbedVm(testbed, 'vm-nla');
    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Reconnect' }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('alert', { name: 'Session ended' }).textContent()).toContain('You disconnected.');
    expect(await page.locator('iron-remote-desktop').count()).toBe(0);
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await poll(async () => (await canvasColourShare(page, vm.rdp!.desktopColor)).share).toBeGreaterThan(DESKTOP_SHARE);
    expect(await page.locator('iron-remote-desktop').count()).toBe(1);
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

  it('vm-xrdp: text copied in the browser can be pasted on the VM, and the reverse', async () => {
    const clipboard = await vmClipboard();
    const toVm = `clip-to-vm-${Date.now()}`;
    await page.evaluate((t) => navigator.clipboard.writeText(t), toVm);
    await poll(async () => (await execInVm('vm-xrdp', clipboard.read)).stdout.trim(), 15_000).toBe(toVm);
    const fromVm = `clip-from-vm-${Date.now()}`;
    expect((await execInVm('vm-xrdp', clipboard.write(fromVm))).code).toBe(0);
    await poll(() => page.evaluate(() => navigator.clipboard.readText()), 15_000).toBe(fromVm);
    // The toolbar's "Paste to VM" sends the browser's clipboard text and says so (issue #14). In this long-lived
    // session: a session on its first seconds has dropped when clipboard text was announced (design 0004).
    const pasted = `pasted-${Date.now()}`;
    await page.evaluate((t) => navigator.clipboard.writeText(t), pasted);
    await page.getByRole('button', { name: 'Paste to VM' }).click();
    await page.getByText('Clipboard text sent to the VM.').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'rdp-xrdp-paste-to-vm.png') });
    await poll(async () => (await execInVm('vm-xrdp', clipboard.read)).stdout.trim(), 15_000).toBe(pasted);
    // Known issue (design 0004, limits): freerdp-shadow (vm-nla) drops a session whose client announces
    // clipboard text right after activation, so the later vm-nla tests need an empty browser clipboard.
    await page.evaluate(() => navigator.clipboard.writeText(''));
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

  it('vm-xrdp: after the tab is resized the whole desktop shows, in its own proportions', async () => {
    // IronRDP asks the VM for the new size (display control: the monitor layout PDU is sent); the
    // testbed's xrdp 0.9.21 opens the channel but keeps its size, so what is checked is the client's
    // side: the picture refits, undistorted.
    await page.setViewportSize({ width: 1000, height: 640 });
    const fit = () =>
      page.evaluate(() => {
        const canvas = document.querySelector('iron-remote-desktop')!.shadowRoot!.querySelector('canvas')!;
        const box = canvas.getBoundingClientRect();
        const distortion = Math.abs(box.width / box.height / (canvas.width / canvas.height) - 1);
        return distortion < 0.02 && box.right <= window.innerWidth + 1 && box.bottom <= window.innerHeight + 1 && box.width > 500;
      });
    await poll(fit, 10_000).toBe(true);
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

  it('vm-weston: a changed certificate is refused with a man-in-the-middle warning; an admin accepts it and the session starts', async () => {
    // Stand-in for a VM whose certificate changed: the pin in the database no longer matches the VM's.
    const db = new Database(join(bastion.dataDir, 'bastion.db'));
    try {
      db.prepare("UPDATE rdp_certificates SET fingerprint = ? WHERE vm_id_key LIKE '%/virtualmachines/vm-weston'").run(FAKE_PIN);
    } finally {
      db.close();
    }
    await connect('vm-weston', testbed.password);
    const accept = page.getByRole('button', { name: 'Accept new certificate' });
    await accept.waitFor({ timeout: 30_000 });
    const warning = page.getByRole('alert', { name: 'Session ended' });
    const text = (await warning.textContent()) ?? '';
    expect(text).toMatch(/man-in-the-middle/);
    expect(text).toContain(FAKE_PIN);
    expect(text).toMatch(/Offered: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    await shoot(page, 'rdp-certificate-changed.png');
    await accept.click();
    await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
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

  describe('with copy/paste disabled on the bastion (Azure’s disableCopyPaste)', () => {
    const vmId = () => `/subscriptions/${testbed.subscriptionId}/resourceGroups/${testbed.resourceGroup}/providers/Microsoft.Compute/virtualMachines/vm-xrdp`;
    beforeAll(async () => {
      await openPrintedUrl(page, bastion);
      await setDisableCopyPaste(page, testbed, true);
    });
    afterAll(async () => {
      // Back to the default (and an empty browser clipboard, see above), so that the order of the tests does not matter.
      if (page && !page.isClosed()) {
        await page.evaluate(() => navigator.clipboard.writeText(''));
        await setDisableCopyPaste(page, testbed, false);
      }
    });

    it('the token answer says clipboard: false', async () => {
      const res = await page.evaluate(async (path) => {
        const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
        const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken }, body: '{}' });
        return { status: r.status, body: (await r.json()) as { clipboard?: unknown } };
      }, `/api${vmId()}/bastionRdp`);
      expect(res.status).toBe(201);
      expect(res.body.clipboard).toBe(false);
    });

    it('vm-xrdp: the toolbar says so, and text crosses neither way (browser → VM, VM → browser)', async () => {
      const vm = testbedVm(testbed, 'vm-xrdp');
      const clipboard = await vmClipboard();
      await connect('vm-xrdp', testbed.password);
      await status().getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
      await poll(async () => (await canvasColourShare(page, '#000000', 255)).width).toBeGreaterThan(0);
      await page.waitForTimeout(1_500);
      await focusDesktop(page);
      await typeOnDesktop(page, testbed.password);
      await page.keyboard.press('Enter');
      await poll(async () => (await canvasColourShare(page, vm.rdp!.desktopColor)).share, 45_000).toBeGreaterThan(DESKTOP_SHARE);
      expect(await status().textContent()).toContain('Copy and paste is disabled on this bastion');
      expect(await page.getByRole('button', { name: 'Paste to VM' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Copy from VM' }).count()).toBe(0);
      await shoot(page, 'rdp-xrdp-copy-paste-disabled.png');

      // Browser → VM: the VM's clipboard keeps what the VM put there.
      const onVm = `vm-own-${Date.now()}`;
      expect((await execInVm('vm-xrdp', clipboard.write(onVm))).code).toBe(0);
      await poll(async () => (await execInVm('vm-xrdp', clipboard.read)).stdout.trim(), 10_000).toBe(onVm);
      const toVm = `clip-to-vm-blocked-${Date.now()}`;
      await page.evaluate((t) => navigator.clipboard.writeText(t), toVm);
      await focusDesktop(page);
      await staysOtherThan(async () => (await execInVm('vm-xrdp', clipboard.read)).stdout.trim(), toVm);

      // VM → browser: the browser's clipboard keeps what the page put there.
      const fromVm = `clip-from-vm-blocked-${Date.now()}`;
      expect((await execInVm('vm-xrdp', clipboard.write(fromVm))).code).toBe(0);
      await poll(async () => (await execInVm('vm-xrdp', clipboard.read)).stdout.trim(), 10_000).toBe(fromVm);
      await staysOtherThan(() => page.evaluate(() => navigator.clipboard.readText()), fromVm);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(toVm);
    });
  });
});
