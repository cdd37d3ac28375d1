import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { launchChromium } from '../helpers/browser.js';
import { navigateTo, openPortalAsNewcomer } from '../helpers/portal.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { runInTerminal, waitConnected } from '../helpers/terminal.js';
import { readTestbed, type TestbedInfo } from '../helpers/testbed.js';

/**
 * Shareable links end to end (design 0007): an admin creates a link to vm-ssh through the API; a browser
 * context with no portal account opens it, fills the Connect form and gets a terminal on vm-ssh only;
 * after the link is deleted the same URL answers with a clear message.
 */

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const ADMIN_PASSWORD = 'E2e-Links-admin-password-42';

async function callApi<T = unknown>(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const response = await fetch(path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    { method, path, body },
  );
}

const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), animations: 'disabled' });

describe('Shareable links in Chromium against the testbed', () => {
  let testbed: TestbedInfo;
  let bastion: RunningBastion;
  let browser: Browser;
  let admin: BrowserContext;
  let visitor: BrowserContext;
  let portal: Page;
  let page: Page;
  let bastionPath: string;
  let vmId: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    testbed = readTestbed();
    const config = parse(readFileSync(testbed.inventoryPath, 'utf8')) as { inventory: { bastionHosts: Array<Record<string, unknown>> } };
    config.inventory.bastionHosts = config.inventory.bastionHosts.map((h) => ({ ...h, enableShareableLink: true }));
    bastion = await startBastionProcess({ configYaml: stringify(config) });
    bastionPath = `/api/subscriptions/${testbed.subscriptionId}/resourceGroups/${testbed.resourceGroup}/providers/Microsoft.Network/bastionHosts/${testbed.bastionHost}`;
    vmId = `/subscriptions/${testbed.subscriptionId}/resourceGroups/${testbed.resourceGroup}/providers/Microsoft.Compute/virtualMachines/vm-ssh`;
    browser = await launchChromium();
    admin = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    portal = await admin.newPage();
    await openPortalAsNewcomer(portal, bastion, { ...bastion.firstAdmin!, newPassword: ADMIN_PASSWORD });
    // A separate context: no cookie, no storage shared with the admin's.
    visitor = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1100, height: 700 } });
    page = await visitor.newPage();
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'links-server-output.txt'), bastion.output());
    await visitor?.close();
    await admin?.close();
    await browser?.close();
    await bastion?.stop();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shoot(page, `links-failed-${task.name.replace(/[^a-z0-9]+/gi, '-')}.png`).catch(() => undefined);
  });

  let url: string;

  it('an admin creates a link on the Bastions page; the URL is shown once, the list and the API show no URL', async () => {
    await navigateTo(portal, 'Bastions');
    const panel = portal.getByRole('region', { name: 'Shareable links' });
    await panel.getByLabel('Virtual machine').selectOption({ label: 'vm-ssh' });
    await panel.getByRole('button', { name: 'Create link' }).click();
    const shown = panel.getByLabel('New link URL');
    await shown.waitFor();
    url = await shown.inputValue();
    expect(url).toMatch(new RegExp(`^${bastion.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/share/[A-Za-z0-9_-]{43}$`));
    await panel.getByRole('table', { name: 'Shareable links' }).getByRole('cell', { name: 'vm-ssh', exact: true }).waitFor();
    await shoot(portal, 'links-0-portal.png');
    const listed = await callApi<{ value: Array<{ id: string; bsl: string | null; vm: { id: string } }> }>(portal, 'POST', `${bastionPath}/getShareableLinks`, {});
    expect(listed.body.value).toEqual([expect.objectContaining({ vm: { id: vmId }, bsl: null })]);
  });

  it('a browser without an account opens the link and gets a terminal on vm-ssh only', async () => {
    // A deep link on purpose: the shareable link is the URL its recipient is given, not the printed one.
    await page.goto(url);
    await page.getByRole('heading', { name: 'Connect to vm-ssh' }).waitFor();
    await shoot(page, 'links-1-connect-form.png');
    // No portal session exists in this context.
    expect(await page.evaluate(async () => (await fetch('/api/subscriptions')).status)).toBe(401);
    await page.getByLabel('Username').fill(testbed.user);
    await page.getByRole('textbox', { name: 'Password' }).fill(testbed.password);
    await page.getByRole('button', { name: 'Connect' }).click();
    await waitConnected(page);
    expect(await runInTerminal(page, 'echo $((6*7))')).toEqual(['42']);
    expect(await runInTerminal(page, 'hostname')).toEqual(['vm-ssh']);
    await shoot(page, 'links-2-terminal.png');
    // The ticket request names no VM: the link decides, and a field naming another is refused.
    const secret = url.split('/share/')[1]!;
    const other = await page.evaluate(
      async ({ secret, user, password }) => (await fetch(`/api/share/${secret}/ssh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, auth: { type: 'password', password }, vmId: 'vm-ssh2' }) })).status,
      { secret, user: testbed.user, password: testbed.password },
    );
    expect(other).toBe(400);
  });

  it('after the link is deleted it answers with a clear message, and its session ended', async () => {
    const deleted = await callApi<{ value: unknown[] }>(portal, 'POST', `${bastionPath}/deleteShareableLinks`, { vms: [{ vm: { id: vmId } }] });
    expect(deleted.status).toBe(200);
    expect(deleted.body.value).toHaveLength(1);
    await page.getByRole('status', { name: 'Connection status' }).getByText(/revoked|Disconnected|ended|closed/i).first().waitFor({ timeout: 10_000 });
    await page.goto(url); // the revoked link, opened again as its recipient would
    await page.getByRole('heading', { name: 'Link not available' }).waitFor();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/no longer valid: it was revoked or has expired/);
    await shoot(page, 'links-3-revoked.png');
  });
});
