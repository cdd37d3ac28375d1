import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { openPortalAsNewcomer } from '../helpers/portal.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { runInTerminal, waitConnected } from '../helpers/terminal.js';
import { readTestbed, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Session operations end to end (issue 6, design 0005): a user runs an SSH session in one browser
 * context; an administrator in another opens the Sessions page, sees it, disconnects it; the user's page
 * says so; the Audit log page shows the connection with its end reason, and exports it.
 */
const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Sessions-admin-password-42';
const ALICE_PASSWORD = 'E2e-Sessions-alice-pass-1';
const poll = <T>(read: () => Promise<T>, timeout = 15_000) => expect.poll(read, { timeout, interval: 100 });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), animations: 'disabled' });

describe('Sessions page and audit log in Chromium against the testbed', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let userContext: BrowserContext;
  let adminContext: BrowserContext;
  let user: Page;
  let admin: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    const people = `users:\n  - { username: alice, password: ${ALICE_PASSWORD} }\nroleAssignments:\n  - { assignee: alice, role: Reader, scope: /subscriptions/${testbed.subscriptionId} }\n`;
    bastion = await startBastionProcess({ configYaml: `${readFileSync(testbed.inventoryPath, 'utf8')}\n${people}` });
    browser = await launchChromium();
    userContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    adminContext = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    user = await userContext.newPage();
    admin = await adminContext.newPage();
    await openPortalAsNewcomer(admin, bastion, { ...bastion.firstAdmin!, newPassword: ADMIN_PASSWORD });
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'sessions-server-output.txt'), bastion.output());
    await userContext?.close();
    await adminContext?.close();
    await browser?.close();
    await bastion?.stop();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    const name = task.name.replace(/[^a-z0-9]+/gi, '-');
    await shoot(user, `sessions-failed-${name}-user.png`).catch(() => undefined);
    await shoot(admin, `sessions-failed-${name}-admin.png`).catch(() => undefined);
  });

  it('a user runs an SSH session; the admin sees it on the Sessions page and disconnects it', async () => {
    // The user: sign in, VM → Connect → password → terminal in this tab.
    await openPortalAsNewcomer(user, bastion, { username: 'alice', password: ALICE_PASSWORD });
    await user.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: 'vm-ssh', exact: true }).click();
    const connect = user.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Connect' });
    await poll(() => connect.isEnabled()).toBe(true);
    await connect.click();
    const dialog = user.getByRole('dialog', { name: 'Connect using Bastion' });
    await dialog.getByLabel('Username').fill(testbed.user);
    await dialog.getByLabel('VM Password').fill(testbed.password);
    await dialog.getByLabel('Open in new browser tab').uncheck();
    await dialog.getByRole('button', { name: 'Connect' }).click();
    await waitConnected(user);
    expect(await runInTerminal(user, 'echo session-$((6*7))')).toEqual(['session-42']);
    // The Sessions entry is not in a Reader's navigation.
    expect(await user.getByRole('navigation', { name: 'Portal navigation' }).getByText('Sessions', { exact: true }).count()).toBe(0);

    // The admin: Sessions in the navigation, the session in the table.
    await admin.getByRole('navigation', { name: 'Portal navigation' }).getByText('Sessions', { exact: true }).click();
    await admin.getByRole('heading', { name: 'Sessions', level: 1 }).waitFor();
    const table = admin.getByRole('table', { name: 'Sessions' });
    const row = table.getByRole('row').filter({ hasText: 'alice' }).filter({ hasText: 'vm-ssh' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/127\.0\.0\.1.*10\.90\.1\.4.*SSH/);
    await shoot(admin, 'sessions-1-list.png');
    await row.getByRole('checkbox').check();
    await admin.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Disconnect' }).click();
    const confirm = admin.getByRole('alertdialog', { name: 'Disconnect 1 session?' });
    await confirm.getByText(/alice → vm-ssh \(SSH, from 127\.0\.0\.1\)/).waitFor();
    await confirm.getByRole('button', { name: 'Disconnect' }).click();
    await admin.getByText('Disconnected 1 session.').waitFor();
    await poll(() => table.getByRole('row').filter({ hasText: 'alice' }).count()).toBe(0);

    // The user's page says who ended it.
    const status = user.getByRole('status', { name: 'Connection status' });
    await poll(() => status.textContent()).toMatch(/You have been disconnected by an administrator/);
    await user.getByRole('button', { name: 'Reconnect' }).waitFor();
    await shoot(user, 'sessions-2-user-disconnected.png');
  });

  it('the Audit log page shows the connection with its end reason, filters it, and exports it', async () => {
    await admin.getByRole('navigation', { name: 'Portal navigation' }).getByText('Audit log', { exact: true }).click();
    await admin.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const filters = admin.getByRole('form', { name: 'Audit log filters' });
    await filters.getByLabel('User').fill('alice');
    await filters.getByLabel('Protocol').selectOption('ssh');
    await filters.getByRole('button', { name: 'Apply' }).click();
    const table = admin.getByRole('table', { name: 'Audit log' });
    const row = table.getByRole('row').filter({ hasText: 'alice' }).filter({ hasText: 'vm-ssh' });
    await row.first().waitFor();
    await expect(row.first().textContent()).resolves.toMatch(/SSH.*Succeeded.*Disconnected by an administrator/);
    await shoot(admin, 'sessions-3-audit-log.png');

    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^bastion-audit-logs-\d{8}T\d{6}Z\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toContain('endReason');
    expect(lines.slice(1).every((l) => l.includes(',alice,'))).toBe(true);
    expect(csv).toContain('terminated');

    // The disconnect itself is an audit event (Events view).
    await admin.getByRole('tab', { name: 'Events' }).click();
    await admin.getByRole('form', { name: 'Audit log filters' }).getByRole('button', { name: 'Clear' }).click();
    const events = admin.getByRole('table', { name: 'Audit log' });
    await events.getByRole('row').filter({ hasText: 'session.terminated' }).first().waitFor();
    await expect(events.getByRole('row').filter({ hasText: 'session.terminated' }).first().textContent()).resolves.toMatch(/O1000I.*admin/);
  });
});
