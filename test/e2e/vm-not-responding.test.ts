import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { launchChromium } from '../helpers/browser.js';
import { openPortalAsNewcomer } from '../helpers/portal.js';
import { sshdServing, sshdSessions } from '../helpers/sshd-sessions.js';
import { runInTerminal, screenLines, typeLine, waitConnected } from '../helpers/terminal.js';
import { readTestbed, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Issue #13 finding 8 in Chromium: the session's sshd on vm-ssh is stopped (SIGSTOP); the terminal's status
 * line says the VM is not responding within seconds; after SIGCONT the line typed meanwhile runs and the
 * notice goes away.
 */
const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Frozen-admin-password-42';

describe('a frozen VM in the browser terminal', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    bastion = await startBastionProcess({ configYaml: readFileSync(testbed.inventoryPath, 'utf8') });
    browser = await launchChromium();
    page = await (await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } })).newPage();
    await openPortalAsNewcomer(page, bastion, { ...bastion.firstAdmin!, newPassword: ADMIN_PASSWORD });
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'vm-not-responding-server-output.txt'), bastion.output());
    await browser?.close();
    await bastion?.stop();
  });

  it('SIGSTOP of the session’s sshd: "The VM is not responding" on the status line; after SIGCONT the typed line runs and the notice goes', async () => {
    const before = sshdSessions(testbed, 'vm-ssh');
    await page.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: 'vm-ssh', exact: true }).click();
    await page.getByRole('heading', { name: 'vm-ssh', level: 1 }).waitFor();
    const connect = page.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Connect' });
    await expect.poll(() => connect.isEnabled(), { timeout: 15_000 }).toBe(true);
    await connect.click();
    const dialog = page.getByRole('dialog', { name: 'Connect using Bastion' });
    await dialog.getByLabel('Username').fill(testbed.user);
    await dialog.getByLabel('VM Password').fill(testbed.password);
    await dialog.getByLabel('Open in new browser tab').uncheck();
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitConnected(page);
    expect(await runInTerminal(page, 'echo $((6*7))')).toEqual(['42']);
    const pids = sshdServing(testbed, 'vm-ssh', bastion.process.pid!, before);
    const status = page.getByRole('status', { name: 'Connection status' });

    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      await typeLine(page, 'echo thawed-$((6*7))');
      await status.getByText(/The VM is not responding/).waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'ssh-vm-not-responding.png'), animations: 'disabled' });
      expect(await screenLines(page)).not.toContain('thawed-42');
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    await expect.poll(() => screenLines(page), { timeout: 30_000, interval: 100 }).toContain('thawed-42');
    await expect.poll(() => status.textContent(), { timeout: 15_000, interval: 100 }).not.toMatch(/not responding/);
    expect(await status.textContent()).toMatch(/Connected/);
  }, 120_000);
});
