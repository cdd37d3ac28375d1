import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { replaceOneTimePassword, submitSignIn } from '../helpers/portal.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { runInTerminal, screenLines, waitConnected } from '../helpers/terminal.js';
import { readTestbed, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Browser SSH end to end (issue 4): Chromium against the built bastion and the testbed's real sshd.
 * Portal → Virtual machines → vm-ssh → Connect → "Connect using Bastion" → a terminal that runs commands.
 */

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Ssh-admin-password-42';

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
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    portal = await context.newPage();
    await portal.goto(`${bastion.url}/portal/vms`);
    await submitSignIn(portal, bastion.firstAdmin!.username, bastion.firstAdmin!.password);
    await replaceOneTimePassword(portal, bastion.firstAdmin!.password, ADMIN_PASSWORD);
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
    await page.goto(`${bastion.url}/portal/vms`);
    await page.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: vm, exact: true }).click();
    await page.getByRole('heading', { name: vm, level: 1 }).waitFor();
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
});
