import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { launchChromium } from '../helpers/browser.js';
import { openPortalAsNewcomer } from '../helpers/portal.js';
import { runInTerminal, screenText, typeLine, waitConnected, waitForPrompt } from '../helpers/terminal.js';
import { readTestbed, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Session recordings end to end (issue 6, design 0006): an operator runs an SSH session in one browser; the
 * administrator, in another, opens Recordings, watches it live (sees the operator's command appear), and
 * after the session plays the recording back in asciinema-player.
 */
const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Rec-admin-password-42';
const OPERATOR_PASSWORD = 'E2e-Rec-operator-pass-1';

const poll = <T>(read: () => Promise<T>, timeout = 20_000) => expect.poll(read, { timeout, interval: 100 });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), animations: 'disabled' });

describe('Recordings in Chromium against the testbed', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let adminContext: BrowserContext;
  let operatorContext: BrowserContext;
  let admin: Page;
  let operator: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    bastion = await startBastionProcess({
      configYaml:
        `${readFileSync(testbed.inventoryPath, 'utf8')}\n` +
        `users:\n  - { username: operator, password: ${OPERATOR_PASSWORD} }\n` +
        `roleAssignments:\n  - { assignee: operator, role: Reader, scope: /subscriptions/${testbed.subscriptionId} }\n`,
    });
    browser = await launchChromium();
    adminContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
    operatorContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 700 } });
    admin = await adminContext.newPage();
    await openPortalAsNewcomer(admin, bastion, { ...bastion.firstAdmin!, newPassword: ADMIN_PASSWORD });
    operator = await operatorContext.newPage();
    await openPortalAsNewcomer(operator, bastion, { username: 'operator', password: OPERATOR_PASSWORD });
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'recordings-server-output.txt'), bastion.output());
    await adminContext?.close();
    await operatorContext?.close();
    await browser?.close();
    await bastion?.stop();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      await shoot(admin, `recordings-failed-admin-${task.name.replace(/[^a-z0-9]+/gi, '-')}.png`).catch(() => undefined);
      await shoot(operator, `recordings-failed-operator-${task.name.replace(/[^a-z0-9]+/gi, '-')}.png`).catch(() => undefined);
    }
  });

  it('the operator has no Recordings page (Reader), the administrator has', async () => {
    const nav = (page: Page) => page.getByRole('navigation', { name: 'Portal navigation' });
    await nav(admin).getByText('Recordings', { exact: true }).waitFor();
    expect(await nav(operator).getByText('Recordings', { exact: true }).count()).toBe(0);
  });

  it('the admin watches the live session (sees the command appear), then plays the recording back', async () => {
    // The operator connects from the portal, in this tab.
    await operator.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: 'vm-ssh', exact: true }).click();
    await operator.getByRole('heading', { name: 'vm-ssh', level: 1 }).waitFor();
    const connect = operator.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Connect' });
    await poll(() => connect.isEnabled()).toBe(true);
    await connect.click();
    const dialog = operator.getByRole('dialog', { name: 'Connect using Bastion' });
    await dialog.getByLabel('Username').fill(testbed.user);
    await dialog.getByLabel('VM Password').fill(testbed.password);
    await dialog.getByLabel('Open in new browser tab').uncheck();
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitConnected(operator);
    expect(await runInTerminal(operator, 'echo before-$((2*3))')).toEqual(['before-6']);

    // The administrator finds the live session in Recordings and opens "Watch live".
    await admin.getByRole('navigation', { name: 'Portal navigation' }).getByText('Recordings', { exact: true }).click();
    await admin.getByRole('heading', { name: 'Recordings', level: 1 }).waitFor();
    const table = admin.getByRole('table', { name: 'Recordings' });
    await table.getByRole('link', { name: /^Watch live session of operator on vm-ssh/ }).click();
    await admin.getByRole('heading', { name: 'Watch live session', level: 1 }).waitFor();
    const liveStatus = admin.getByRole('status', { name: 'Live view status' });
    await poll(() => liveStatus.textContent()).toMatch(/Watching live \(read-only\)/);
    await poll(async () => (await screenText(admin)).includes('before-6')).toBe(true);

    // What the operator types next appears in the administrator's view.
    await waitForPrompt(operator);
    await typeLine(operator, 'echo watched-$((6*7))');
    await poll(async () => (await screenText(admin)).includes('watched-42')).toBe(true);
    await shoot(admin, 'recordings-1-watch-live.png');

    // The session ends: the live view says so.
    await waitForPrompt(operator);
    await typeLine(operator, 'exit');
    await poll(() => liveStatus.textContent()).toMatch(/The session ended/);

    // Played back in the portal player, with the speed control and a Download link.
    await admin.getByRole('link', { name: 'Recordings' }).first().click();
    await admin.getByRole('heading', { name: 'Recordings', level: 1 }).waitFor();
    await admin.getByRole('button', { name: 'Refresh' }).click();
    const play = admin.getByRole('table', { name: 'Recordings' }).getByRole('link', { name: /^Play recording of operator on vm-ssh/ }).first();
    await play.waitFor();
    const download = admin.getByRole('table', { name: 'Recordings' }).getByRole('link', { name: /^Download recording of operator on vm-ssh/ }).first();
    expect(await download.getAttribute('href')).toMatch(/^\/api\/recordings\/[0-9a-f-]{36}\/download$/);
    await play.click();
    await admin.getByRole('heading', { name: 'Recording', level: 1 }).waitFor();
    await admin.getByLabel('Speed').selectOption('4');
    const player = admin.getByRole('region', { name: 'Recording player' });
    await poll(async () => (await player.innerText()).includes('watched-42'), 30_000).toBe(true);
    await shoot(admin, 'recordings-2-playback.png');

    // On a 1366×768 screen the player's control bar (play, progress, time) is on screen without scrolling.
    await admin.setViewportSize({ width: 1366, height: 768 });
    await poll(async () => {
      const bar = await player.locator('.ap-control-bar').boundingBox();
      return bar !== null && bar.y + bar.height <= 768;
    }).toBe(true);
    await shoot(admin, 'recordings-3-playback-1366x768.png');

    // Actual size: a readable font (fit to the box, a tall recording is ~10 px text at 768 px), the box
    // scrolls and the control bar is reached by scrolling to its end.
    await admin.getByLabel('Size').selectOption({ label: 'Actual size' });
    const fontPx = () => player.locator('.ap-term').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize)).catch(() => 0);
    await poll(fontPx).toBeGreaterThanOrEqual(14);
    await poll(async () => (await player.innerText()).includes('watched-42'), 30_000).toBe(true);
    await player.locator('.ap-control-bar').scrollIntoViewIfNeeded();
    await poll(async () => {
      const bar = await player.locator('.ap-control-bar').boundingBox();
      return bar !== null && bar.y >= 0 && bar.y + bar.height <= 768;
    }).toBe(true);
    await shoot(admin, 'recordings-4-playback-actual-size-1366x768.png');
  });
});
