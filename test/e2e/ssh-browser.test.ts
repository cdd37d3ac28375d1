import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { setDisableCopyPaste, staysEqual } from '../helpers/copy-paste.js';
import { openPortalAsNewcomer, openPrintedUrl, openVm } from '../helpers/portal.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { runInTerminal, screenLines, screenText, waitConnected } from '../helpers/terminal.js';
import { readTestbed, run, testbedVm, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Browser SSH end to end (issue 4): Chromium against the built bastion and the testbed's real sshd.
 * Portal → Virtual machines → vm-ssh → Connect → "Connect using Bastion" → a terminal that runs commands.
 */

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Ssh-admin-password-42';

/** Calls the bastion's API from the signed-in page (its cookie, and the CSRF token from /api/auth/me). */
async function callApi<T = unknown>(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const response = await fetch(path, {
        method,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    { method, path, body },
  );
}

const poll = <T>(read: () => Promise<T>, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), animations: 'disabled' });

describe('Browser SSH in Chromium against the testbed', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let context: BrowserContext;
  let portal: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    bastion = await startBastionProcess({ configYaml: readFileSync(testbed.inventoryPath, 'utf8') });
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 }, permissions: ['clipboard-read', 'clipboard-write'] });
    portal = await context.newPage();
    await openPortalAsNewcomer(portal, bastion, { ...bastion.firstAdmin!, newPassword: ADMIN_PASSWORD });
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'ssh-server-output.txt'), bastion.output());
    await context?.close();
    await browser?.close();
    await bastion?.stop();
  });

  const dialog = (page: Page) => page.getByRole('dialog', { name: 'Connect using Bastion' });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shoot(portal, `ssh-failed-${task.name.replace(/[^a-z0-9]+/gi, '-')}.png`).catch(() => undefined);
  });

  /** From the VM list to the filled "Connect using Bastion" dialog's first fields. */
  async function openConnectDialog(page: Page, vm = 'vm-ssh'): Promise<void> {
    // The printed URL again (signed in: the portal home), then the VM by clicking, as a user does.
    await openPrintedUrl(page, bastion);
    await openVm(page, vm);
    const connect = page.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Connect' });
    await poll(() => connect.isEnabled()).toBe(true);
    await connect.click();
    await page.getByRole('dialog', { name: 'Connect using Bastion' }).waitFor();
    await dialog(page).getByLabel('Username').fill(testbed.user);
  }

  /** Submits the dialog in this tab (unticks "Open in new browser tab"). */
  async function connectHere(page: Page): Promise<void> {
    await dialog(page).getByLabel('Open in new browser tab').uncheck();
    await dialog(page).getByRole('button', { name: 'Connect' }).click();
  }

  it('password, in a new tab: echo $((6*7)) shows 42', async () => {
    await openConnectDialog(portal);
    await dialog(portal).getByLabel('VM Password').fill(testbed.password);
    expect(await dialog(portal).getByLabel('Open in new browser tab').isChecked()).toBe(true);
    const [session] = await Promise.all([context.waitForEvent('page'), dialog(portal).getByRole('button', { name: 'Connect' }).click()]);
    await waitConnected(session);
    expect(await session.title()).toBe('vm-ssh - Bastion');
    expect(await runInTerminal(session, 'echo $((6*7))')).toEqual(['42']);
    // The first connection pins the host key and shows its fingerprint.
    await expect(session.getByRole('status', { name: 'Connection status' }).textContent()).resolves.toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    await shoot(session, 'ssh-1-password-42.png');
    // The credentials never appear in the new tab's address.
    expect(session.url()).not.toContain(testbed.password);
    await session.close();
  });

  it('private key from a local file, in this tab', async () => {
    await openConnectDialog(portal);
    await dialog(portal).getByLabel('Authentication Type').selectOption({ label: 'SSH Private Key from Local File' });
    await dialog(portal).getByLabel('Local File').setInputFiles(testbed.clientKeyPath);
    await connectHere(portal);
    await waitConnected(portal);
    expect(await runInTerminal(portal, 'echo $((6*7)) via key')).toEqual(['42 via key']);
  });

  it('a wrong password says "Authentication failed" and offers Reconnect', async () => {
    await openConnectDialog(portal);
    await dialog(portal).getByLabel('VM Password').fill('not-the-password');
    await connectHere(portal);
    const status = portal.getByRole('status', { name: 'Connection status' });
    await poll(() => status.textContent(), 30_000).toMatch(/Authentication failed/);
    await portal.getByRole('button', { name: 'Reconnect' }).waitFor();
    await shoot(portal, 'ssh-3-wrong-password.png');
    // The connection record (Azure's BastionAuditLogs shape) names the failure.
    const vmId = `/subscriptions/${testbed.subscriptionId}/resourceGroups/${testbed.resourceGroup}/providers/Microsoft.Compute/virtualMachines/vm-ssh`;
    const logs = await callApi<{ value: Array<Record<string, unknown>> }>(portal, 'GET', `/api/bastionAuditLogs?vm=${encodeURIComponent(vmId)}&limit=1`);
    expect(logs.status).toBe(200);
    expect(logs.body.value[0]).toMatchObject({
      protocol: 'ssh',
      userName: testbed.user,
      principalName: 'admin',
      targetVMIPAddress: testbedVm(testbed, 'vm-ssh').ip,
      targetPort: 22,
      endReason: 'failed',
      errorCode: 'auth_failed',
      message: expect.stringContaining('Authentication failed'),
      userAgent: expect.stringContaining('Chrome'),
      clientIpAddress: '127.0.0.1',
    });
  });

  it('a password from the Key Vault: the secret is picked by name and its value never reaches the browser', async () => {
    const rg = `/api/subscriptions/${testbed.subscriptionId}/resourceGroups/${testbed.resourceGroup}`;
    expect((await callApi(portal, 'PUT', `${rg}/providers/Microsoft.KeyVault/vaults/kv-e2e`, {})).status).toBeLessThan(300);
    const put = await callApi(portal, 'PUT', `${rg}/providers/Microsoft.KeyVault/vaults/kv-e2e/secrets/vmuser-password`, {
      properties: { contentType: 'password', value: testbed.password },
    });
    expect(put.status).toBe(200);
    const seen: string[] = [];
    portal.on('response', (r) => void r.text().then((t) => seen.push(t), () => undefined));

    await openConnectDialog(portal);
    await dialog(portal).getByLabel('Authentication Type').selectOption({ label: 'Password from Key Vault' });
    await poll(() => dialog(portal).getByRole('combobox', { name: /^Key Vault/ }).locator('option').allTextContents()).toContain('kv-e2e');
    await dialog(portal).getByRole('combobox', { name: /^Key Vault/ }).selectOption({ label: 'kv-e2e' });
    await poll(() => dialog(portal).getByLabel('Azure Key Vault Secret').locator('option').allTextContents()).toContain('vmuser-password');
    await dialog(portal).getByLabel('Azure Key Vault Secret').selectOption({ label: 'vmuser-password' });
    await connectHere(portal);
    await waitConnected(portal);
    expect(await runInTerminal(portal, 'echo $((6*7)) from the vault')).toEqual(['42 from the vault']);
    expect(seen.some((t) => t.includes(testbed.password))).toBe(false);
  });

  describe('host key changed', () => {
    const keyFile = () => `${testbedVm(testbed, 'vm-ssh2').stateDir}/ssh_host_ed25519_key`;
    let saved: { key: Buffer; pub: Buffer } | undefined;
    afterAll(() => {
      // vm-ssh2's own key back (its sshd reads the file again for each connection).
      if (saved) {
        writeFileSync(keyFile(), saved.key, { mode: 0o600 });
        writeFileSync(`${keyFile()}.pub`, saved.pub, { mode: 0o644 });
      }
    });

    it('the next Connect refuses with the warning and both fingerprints; the admin accepts the new key and it connects', async () => {
      await openConnectDialog(portal, 'vm-ssh2');
      await dialog(portal).getByLabel('VM Password').fill(testbed.password);
      await connectHere(portal);
      await waitConnected(portal);
      const status = portal.getByRole('status', { name: 'Connection status' });
      const pinned = /SHA256:[A-Za-z0-9+/]{43}/.exec((await status.textContent()) ?? '')?.[0];
      expect(pinned).toBeDefined();

      saved = { key: readFileSync(keyFile()), pub: readFileSync(`${keyFile()}.pub`) };
      const tmp = `${keyFile()}.e2e-new`;
      const gen = await run('bash', ['-c', `rm -f ${tmp} ${tmp}.pub && ssh-keygen -q -t ed25519 -N '' -f ${tmp} && cat ${tmp} > ${keyFile()} && cat ${tmp}.pub > ${keyFile()}.pub && rm -f ${tmp} ${tmp}.pub`]);
      expect(gen.code, gen.stderr).toBe(0);
      const offered = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keyFile()}.pub`])).stdout.split(' ')[1]!;

      await openConnectDialog(portal, 'vm-ssh2');
      await dialog(portal).getByLabel('VM Password').fill(testbed.password);
      await connectHere(portal);
      await poll(() => status.textContent(), 30_000).toMatch(/man-in-the-middle/);
      const warning = (await status.textContent()) ?? '';
      expect(warning).toContain(pinned!);
      expect(warning).toContain(offered);
      await shoot(portal, 'ssh-5-host-key-changed.png');

      await portal.getByRole('button', { name: 'Accept new host key' }).click();
      await waitConnected(portal);
      expect(await runInTerminal(portal, 'echo accepted')).toEqual(['accepted']);
    });
  });

  it('find in the terminal, paste from the context menu, and copy on select', async () => {
    await openConnectDialog(portal);
    await dialog(portal).getByLabel('VM Password').fill(testbed.password);
    await connectHere(portal);
    await waitConnected(portal);
    expect(await runInTerminal(portal, 'echo needle-$((40+2))')).toEqual(['needle-42']);

    await portal.keyboard.press('Control+Shift+F');
    const find = portal.getByRole('search', { name: 'Find in terminal' }).getByRole('textbox');
    await find.fill('needle-42');
    expect(await portal.getByText('No matches').count()).toBe(0);
    await find.fill('no-such-text-anywhere');
    await portal.getByText('No matches').waitFor();
    await find.press('Escape');
    await portal.getByRole('search', { name: 'Find in terminal' }).waitFor({ state: 'detached' });

    await portal.evaluate(() => navigator.clipboard.writeText('echo pasted-$((1+1))'));
    await portal.locator('.xterm').first().click({ button: 'right' });
    await portal.getByRole('menuitem', { name: /Paste/ }).click();
    await poll(async () => (await screenText(portal)).includes('echo pasted-$((1+1))')).toBe(true);
    await portal.keyboard.press('Enter');
    await poll(async () => (await screenLines(portal)).includes('pasted-2')).toBe(true);

    // Selecting text with the mouse copies it (like PuTTY and most Linux terminals).
    await portal.evaluate(() => navigator.clipboard.writeText(''));
    const box = (await portal.locator('.xterm-screen').first().boundingBox())!;
    await portal.mouse.move(box.x + 2, box.y + 4);
    await portal.mouse.down();
    await portal.mouse.move(box.x + box.width - 4, box.y + 8, { steps: 5 });
    await portal.mouse.up();
    const firstRow = (await screenLines(portal))[0]!;
    await poll(() => portal.evaluate(() => navigator.clipboard.readText())).toContain(firstRow.slice(0, 10));
  });

  it('resizing the browser window changes stty size on the VM', async () => {
    await openConnectDialog(portal);
    await dialog(portal).getByLabel('VM Password').fill(testbed.password);
    await connectHere(portal);
    await waitConnected(portal);
    const size = async (): Promise<[number, number]> => {
      const [line] = await runInTerminal(portal, 'stty size');
      const [rows, cols] = (line ?? '').split(' ').map(Number);
      return [rows!, cols!];
    };
    const [rows1, cols1] = await size();
    expect(rows1).toBeGreaterThan(10);
    await portal.setViewportSize({ width: 800, height: 500 });
    await poll(async () => {
      const [rows2, cols2] = await size();
      return rows2 < rows1 && cols2 < cols1;
    }, 20_000).toBe(true);
    expect((await screenLines(portal)).length).toBeLessThan(rows1);
    await portal.setViewportSize({ width: 1280, height: 800 });
  });

  it('with copy/paste disabled on the bastion: selecting copies nothing, Copy and Paste are disabled, typing works', async () => {
    await openPrintedUrl(portal, bastion);
    await setDisableCopyPaste(portal, testbed, true);
    try {
      await openConnectDialog(portal);
      await dialog(portal).getByLabel('VM Password').fill(testbed.password);
      await connectHere(portal);
      await waitConnected(portal);
      expect(await portal.getByRole('status', { name: 'Connection status' }).textContent()).toContain('Copy and paste is disabled on this bastion');
      expect(await runInTerminal(portal, 'echo typed-$((40+2))')).toEqual(['typed-42']);

      const untouched = `untouched-${Date.now()}`;
      await portal.evaluate((t) => navigator.clipboard.writeText(t), untouched);
      const box = (await portal.locator('.xterm-screen').first().boundingBox())!;
      await portal.mouse.move(box.x + 2, box.y + 4);
      await portal.mouse.down();
      await portal.mouse.move(box.x + box.width - 4, box.y + 8, { steps: 5 });
      await portal.mouse.up();
      await staysEqual(() => portal.evaluate(() => navigator.clipboard.readText()), untouched, 2_000);

      await portal.locator('.xterm').first().click({ button: 'right' });
      expect(await portal.getByRole('menuitem', { name: /Paste/ }).getAttribute('aria-disabled')).toBe('true');
      expect(await portal.getByRole('menuitem', { name: /Copy/ }).getAttribute('aria-disabled')).toBe('true');
      await portal.keyboard.press('Escape');
      // Ctrl+Shift+V pastes nothing either.
      await portal.evaluate(() => navigator.clipboard.writeText('echo leaked-$((1+1))'));
      await portal.locator('.xterm').first().click();
      await portal.keyboard.press('Control+Shift+V');
      await staysEqual(async () => String((await screenText(portal)).includes('leaked-')), 'false', 1_500);
    } finally {
      await setDisableCopyPaste(portal, testbed, false); // the default again, whatever the order of the tests
    }
  });
});
