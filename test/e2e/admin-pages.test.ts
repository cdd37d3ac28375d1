import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';
import { navigateTo, openPortalAsNewcomer, openPrintedUrl, replaceOneTimePassword, submitSignIn } from '../helpers/portal.js';

/**
 * Issue #14, administration without the CLI, in Chromium from the URL the bastion prints: a bastion's
 * Configuration saved and audited; a user created, reset (one-time password, replaced at sign-in),
 * disabled (refused with a clear message), added to a group and deleted; my password and my API tokens
 * from the user menu; key vault secrets added, replaced and deleted (values never shown); every removal
 * confirmed, and the last Owner at "/" refused with the server's message.
 */
const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const SUB = '11111111-2222-3333-4444-555555555555';
const ADMIN_PASSWORD = 'E2e-Admin-pages-password-42';
const ADMIN_PASSWORD_2 = 'E2e-Admin-pages-password-43';
const CAROL = { username: 'carol', password: 'Carol-First-Pass-1', newPassword: 'Carol-Second-Pass-2' };
const SECRET_VALUE = 'Vm-Secret-Value-123';
const SECRET_VALUE_2 = 'Vm-Secret-Value-456';

const CONFIG = `
inventory:
  subscription: { id: ${SUB}, name: Bastion E2E }
  resourceGroups: [{ name: rg-admin }]
  virtualNetworks:
    - name: vnet-admin
      resourceGroup: rg-admin
      addressSpace: [10.93.0.0/16]
      subnets: [{ name: AzureBastionSubnet, addressPrefix: 10.93.0.0/26 }, { name: snet-vms, addressPrefix: 10.93.1.0/24 }]
  virtualMachines:
    - { name: web01, resourceGroup: rg-admin, osType: linux, nics: [{ name: web01-nic, virtualNetwork: vnet-admin, subnet: snet-vms, privateIpAddress: 10.93.1.4 }] }
  bastionHosts: [{ name: bastion-admin, resourceGroup: rg-admin, virtualNetwork: vnet-admin }]
`;

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true, animations: 'disabled' });
/** Answers the shared confirmation dialog with its named button, after checking what it asks. */
async function confirmIn(page: Page, title: string, button: string): Promise<string> {
  const dialog = page.getByRole('alertdialog', { name: title });
  await dialog.waitFor();
  const text = (await dialog.textContent()) ?? '';
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  return text;
}
const status = (page: Page): Locator => page.getByRole('status');

describe('administration in the portal (issue #14), in Chromium', () => {
  let bastion: RunningBastion;
  let browser: Browser;
  let adminContext: BrowserContext;
  let carolContext: BrowserContext;
  let admin: Page;
  let carol: Page;
  let apiToken: string;
  const api = (method: string, path: string, body?: unknown, token = apiToken) =>
    fetch(`${bastion.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : null });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the bastion's self-signed certificate, for fetch
    bastion = await startBastionProcess({ configYaml: CONFIG });
    browser = await launchChromium();
    const open = async (): Promise<[BrowserContext, Page]> => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 } });
      return [context, await context.newPage()];
    };
    [adminContext, admin] = await open();
    [carolContext, carol] = await open();
    await openPortalAsNewcomer(admin, bastion, { username: bastion.firstAdmin!.username, password: bastion.firstAdmin!.password, newPassword: ADMIN_PASSWORD });
  });

  // What the pages showed when a step failed: the quickest way to see why.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-');
    await admin?.screenshot({ path: join(ARTIFACTS, `admin-failed-${name}-admin.png`), fullPage: true }).catch(() => undefined);
    await carol?.screenshot({ path: join(ARTIFACTS, `admin-failed-${name}-carol.png`), fullPage: true }).catch(() => undefined);
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'admin-pages-server-output.txt'), bastion.output());
    await adminContext?.close();
    await carolContext?.close();
    await browser?.close();
    await bastion?.stop();
  });

  it("changes a bastion's configuration: the server's refusal is shown, the saved value survives a reload and is audited", async () => {
    await navigateTo(admin, 'Bastions');
    const config = admin.getByRole('region', { name: 'Configuration' });
    await config.getByRole('switch', { name: 'Shareable link' }).check();
    await config.getByRole('switch', { name: 'IP-based connection' }).check();
    await config.getByLabel(/On-premises address ranges/).fill('10.0.0.0/7');
    await config.getByLabel(/Idle timeout/).fill('30');
    await config.getByRole('button', { name: 'Save' }).click();
    await poll(() => config.getByRole('alert').textContent()).toMatch(/onPremisesRanges\[0\].*\/8/);

    await config.getByLabel(/On-premises address ranges/).fill('172.16.0.0/16');
    await config.getByRole('switch', { name: 'Session recording' }).uncheck();
    await config.getByRole('button', { name: 'Save' }).click();
    await poll(() => config.getByRole('status').textContent()).toBe('Configuration of bastion-admin saved.');
    await shoot(admin, 'admin-1-bastion-configuration.png');

    await admin.reload();
    await admin.getByRole('heading', { name: 'Bastions', level: 1 }).waitFor();
    const again = admin.getByRole('region', { name: 'Configuration' });
    await poll(() => again.getByRole('switch', { name: 'Shareable link' }).isChecked()).toBe(true);
    expect(await again.getByLabel(/Idle timeout/).inputValue()).toBe('30');
    expect(await again.getByLabel(/On-premises address ranges/).inputValue()).toBe('172.16.0.0/16');
    expect(await again.getByRole('switch', { name: 'Copy and paste' }).isChecked()).toBe(true);
    expect(await again.getByRole('switch', { name: 'Native client support' }).isChecked()).toBe(true);
    expect(await again.getByRole('switch', { name: 'Session recording' }).isChecked()).toBe(false);
    // The links panel follows the saved switch: Create link is offered now.
    expect(await admin.getByRole('button', { name: 'Create link' }).isEnabled()).toBe(true);

    await navigateTo(admin, 'Audit log');
    await admin.getByRole('tab', { name: 'Events' }).click();
    const events = admin.getByRole('table', { name: 'Audit log' });
    await poll(() => events.getByRole('row').filter({ hasText: 'resource.written' }).filter({ hasText: 'bastion-admin' }).count()).toBeGreaterThan(0);
    await shoot(admin, 'admin-2-audit-log.png');
  });

  it('creates a user, resets their password to a one-time password they must replace, adds them to a group', async () => {
    await navigateTo(admin, 'Users');
    await admin.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'New user' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill(CAROL.username);
    await dialog.getByLabel('Display name').fill('Carol');
    await dialog.getByLabel('Initial password').fill(CAROL.password);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const users = admin.getByRole('table', { name: 'Users' });
    const row = users.getByRole('row').filter({ hasText: 'carol' });
    await poll(() => row.count()).toBe(1);

    await admin.getByRole('button', { name: 'Reset password of carol' }).click();
    expect(await confirmIn(admin, 'Reset password', 'Reset password')).toContain('carol');
    const shown = admin.getByRole('alertdialog', { name: 'Password reset' });
    const oneTime = await shown.getByLabel('One-time password').inputValue();
    expect(oneTime.length).toBeGreaterThan(15);
    await shoot(admin, 'admin-3-one-time-password.png');
    await shown.getByRole('button', { name: 'Done' }).click();
    await poll(() => row.textContent()).toContain('Must set a new password');

    // carol, in her own browser: the old password is gone, the one-time one asks for a new password.
    await openPrintedUrl(carol, bastion, 'sign-in');
    await submitSignIn(carol, CAROL.username, CAROL.password);
    await poll(() => carol.getByRole('alert').textContent()).toContain('Invalid username or password');
    await submitSignIn(carol, CAROL.username, oneTime);
    await replaceOneTimePassword(carol, oneTime, CAROL.newPassword);

    await admin.getByLabel('New group name').fill('operators');
    await admin.getByRole('button', { name: 'Create group' }).click();
    await poll(() => status(admin).textContent()).toBe('Group operators created.');
    await admin.getByLabel('Group', { exact: true }).selectOption('operators');
    await admin.getByLabel('User to add').selectOption('carol');
    await admin.getByRole('button', { name: 'Add member' }).click();
    const groups = admin.getByRole('table', { name: 'Groups' });
    await poll(() => groups.getByRole('row').filter({ hasText: 'operators' }).textContent()).toContain('carol');
    await poll(() => row.textContent()).toContain('operators');
    await shoot(admin, 'admin-4-users-and-groups.png');
  });

  it('disables the user (sign-in refused, clearly) and deletes them after a confirmation', async () => {
    await admin.getByRole('button', { name: 'Disable carol' }).click();
    await confirmIn(admin, 'Disable user', 'Disable');
    const row = admin.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: 'carol' });
    await poll(() => row.textContent()).toContain('Disabled');

    // carol's sign-in ended; signing in again is refused with the reason.
    await carol.reload();
    await carol.getByRole('heading', { name: 'Sign in' }).waitFor();
    await submitSignIn(carol, CAROL.username, CAROL.newPassword);
    await poll(() => carol.getByRole('alert').textContent()).toContain('This account is disabled. Ask an administrator to enable it.');
    await shoot(carol, 'admin-5-disabled-sign-in.png');

    await admin.getByRole('button', { name: 'Delete carol' }).click();
    // Cancel keeps her; Delete removes her.
    await confirmIn(admin, 'Delete user', 'Cancel');
    await poll(() => row.count()).toBe(1);
    await poll(() => admin.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Delete carol'); // focus back on the asking button
    await admin.getByRole('button', { name: 'Delete carol' }).click();
    expect(await confirmIn(admin, 'Delete user', 'Delete')).toContain('cannot be undone');
    await poll(() => row.count()).toBe(0);
  });

  it('adds, replaces and deletes key vault secrets (an SSH key from a file too); no value is ever shown', async () => {
    const issued = await fetch(`${bastion.url}/api/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD, name: 'e2e-cli' }) });
    expect(issued.status).toBe(201);
    apiToken = ((await issued.json()) as { token: string }).token;
    const vault = await api('PUT', `/api/subscriptions/${SUB}/resourceGroups/rg-admin/providers/Microsoft.KeyVault/vaults/kv-admin`, { properties: {} });
    expect(vault.status).toBeLessThan(300);

    await navigateTo(admin, 'Key vaults');
    await poll(() => admin.getByRole('table', { name: 'Key vaults' }).textContent()).toContain('kv-admin');
    const secrets = admin.getByRole('region', { name: 'Secrets in kv-admin' });
    await secrets.getByRole('button', { name: 'Add secret' }).click();
    let dialog = admin.getByRole('dialog', { name: 'Add secret' });
    await dialog.getByLabel('Name').fill('db-password');
    await dialog.getByLabel('Secret value').fill(SECRET_VALUE);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await poll(() => secrets.getByRole('table', { name: 'Secrets' }).textContent()).toContain('db-password');

    const key = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'pkcs1', format: 'pem' } }).privateKey;
    await secrets.getByRole('button', { name: 'Add secret' }).click();
    dialog = admin.getByRole('dialog', { name: 'Add secret' });
    await dialog.getByLabel('Name').fill('web01-key');
    await dialog.getByLabel('Content type').selectOption('ssh-private-key');
    await dialog.getByLabel('SSH private key file').setInputFiles({ name: 'id_rsa', mimeType: 'application/octet-stream', buffer: Buffer.from(key) });
    await poll(() => dialog.getByRole('textbox', { name: /^SSH private key/ }).inputValue()).toContain('BEGIN RSA PRIVATE KEY');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await poll(() => secrets.getByRole('table', { name: 'Secrets' }).getByRole('row').filter({ hasText: 'web01-key' }).textContent()).toContain('SSH private key');

    await secrets.getByRole('button', { name: 'Replace the value of db-password' }).click();
    dialog = admin.getByRole('dialog', { name: 'Replace the value of db-password' });
    expect(await dialog.getByLabel('Secret value').inputValue()).toBe(''); // never read back
    await dialog.getByLabel('Secret value').fill(SECRET_VALUE_2);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await poll(() => secrets.getByRole('status').textContent()).toBe('Value of db-password replaced.');
    await shoot(admin, 'admin-6-key-vault.png');
    const page = (await admin.content()) + JSON.stringify(await (await api('GET', `/api/subscriptions/${SUB}/resourceGroups/rg-admin/providers/Microsoft.KeyVault/vaults/kv-admin/secrets`)).json());
    for (const value of [SECRET_VALUE, SECRET_VALUE_2, 'PRIVATE KEY']) expect(page).not.toContain(value);

    await secrets.getByRole('button', { name: 'Delete db-password' }).click();
    expect(await confirmIn(admin, 'Delete secret', 'Delete')).toContain('db-password');
    await poll(() => secrets.getByRole('table', { name: 'Secrets' }).textContent()).not.toContain('db-password');
  });

  it('changes my password and revokes an API token from the user menu', async () => {
    await admin.getByRole('button', { name: /^Account:/ }).click();
    await admin.getByRole('menuitem', { name: 'API tokens' }).click();
    await admin.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
    const tokens = admin.getByRole('table', { name: 'API tokens' });
    await poll(() => tokens.textContent()).toContain('e2e-cli');
    await shoot(admin, 'admin-7-my-account.png');
    await admin.getByRole('button', { name: 'Revoke e2e-cli' }).click();
    await confirmIn(admin, 'Revoke API token', 'Revoke');
    await poll(() => admin.getByText('You hold no API tokens.').count()).toBe(1);
    expect((await api('GET', '/api/auth/tokens')).status).toBe(401);

    await admin.getByRole('button', { name: /^Account:/ }).click();
    await admin.getByRole('menuitem', { name: 'Change password' }).click();
    const form = admin.getByRole('form', { name: 'Change password' });
    await form.getByLabel('Current password').fill(ADMIN_PASSWORD);
    await form.getByLabel(/^New password/).fill(ADMIN_PASSWORD_2);
    await form.getByLabel('Confirm new password').fill(ADMIN_PASSWORD_2);
    await form.getByRole('button', { name: 'Change password' }).click();
    await poll(() => form.getByRole('status').textContent()).toBe('Password changed. Your other sign-ins have ended.');
    const login = (password: string) => fetch(`${bastion.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: bastion.url }, body: JSON.stringify({ username: 'admin', password }) });
    expect((await login(ADMIN_PASSWORD)).status).toBe(401);
    expect((await login(ADMIN_PASSWORD_2)).status).toBe(200);
  });

  it('refuses removing the last Owner at "/" with a clear message, after a confirmation', async () => {
    await navigateTo(admin, 'Access control (IAM)');
    await admin.getByLabel('Scope').selectOption('/');
    const assignments = admin.getByRole('table', { name: 'Role assignments' });
    await poll(() => assignments.getByRole('row').filter({ hasText: 'Owner' }).count()).toBe(1);
    await admin.getByRole('button', { name: 'Remove admin Owner' }).click();
    expect(await confirmIn(admin, 'Remove role assignment', 'Remove')).toContain('Owner for admin');
    await poll(() => admin.getByRole('alert').textContent()).toContain('would leave no enabled user with the Owner role at scope "/"');
    await shoot(admin, 'admin-8-last-owner.png');
    expect(await assignments.getByRole('row').filter({ hasText: 'Owner' }).count()).toBe(1);
  });
});
