import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { openPrintedUrl, replaceOneTimePassword, submitSignIn } from '../helpers/portal.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';

/**
 * RBAC end to end, in Chromium against the built server: a Reader on a VM and its bastion, but not on the
 * VM's NIC, is told exactly what is missing and cannot Connect; the admin grants Reader on the NIC from the
 * VM's Access control (IAM) tab; after a Refresh the user can Connect. A user with no role sees no VM.
 */

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const SUB = '11111111-2222-3333-4444-555555555555';
const RG_ID = `/subscriptions/${SUB}/resourceGroups/rg-rbac`;
const WEB01_ID = `${RG_ID}/providers/Microsoft.Compute/virtualMachines/web01`;
const NIC_ID = `${RG_ID}/providers/Microsoft.Network/networkInterfaces/web01-nic`;
const BASTION_ID = `${RG_ID}/providers/Microsoft.Network/bastionHosts/bastion-rbac`;

const ALICE = { username: 'alice', password: 'Alice-Pass-1234' };
const NOBODY = { username: 'nobody', password: 'Nobody-Pass-1234' };
const ADMIN_PASSWORD = 'E2e-Rbac-admin-password-42';
const MISSING_NIC = 'You need Reader on networkInterfaces/web01-nic';

const CONFIG = `
users:
  - { username: ${ALICE.username}, password: ${ALICE.password}, displayName: Alice }
  - { username: ${NOBODY.username}, password: ${NOBODY.password}, displayName: Nobody }
inventory:
  subscription: { id: ${SUB}, name: Bastion E2E }
  resourceGroups: [{ name: rg-rbac }]
  virtualNetworks:
    - name: vnet-rbac
      resourceGroup: rg-rbac
      addressSpace: [10.92.0.0/16]
      subnets: [{ name: AzureBastionSubnet, addressPrefix: 10.92.0.0/26 }, { name: snet-vms, addressPrefix: 10.92.1.0/24 }]
  virtualMachines:
    - { name: web01, resourceGroup: rg-rbac, osType: linux, nics: [{ name: web01-nic, virtualNetwork: vnet-rbac, subnet: snet-vms, privateIpAddress: 10.92.1.4 }] }
    - { name: db01, resourceGroup: rg-rbac, osType: linux, nics: [{ name: db01-nic, virtualNetwork: vnet-rbac, subnet: snet-vms, privateIpAddress: 10.92.1.5 }] }
  bastionHosts: [{ name: bastion-rbac, resourceGroup: rg-rbac, virtualNetwork: vnet-rbac }]
roleAssignments:
  - { assignee: alice, assigneeType: user, role: Reader, scope: ${WEB01_ID} }
  - { assignee: alice, assigneeType: user, role: Reader, scope: ${BASTION_ID} }
`;

/** Elapsed seconds per step, printed at the end (the report's timings). */
const timings: Array<[string, number]> = [];
async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    timings.push([label, (performance.now() - start) / 1000]);
  }
}

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await openPrintedUrl(page, { url }, 'sign-in'); // the URL `npm start` prints, as a newcomer enters
  await submitSignIn(page, username, password);
}

/** expect.poll with room for a slow machine (the default gives up after one second). */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 100 });

/** Screenshots once Fluent's open/close transitions have settled. */
const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, name), fullPage: true, animations: 'disabled' });

/** The VM names listed in the "Virtual machines" table (its name links). */
const vmNames = (page: Page): Promise<string[]> => page.getByRole('table', { name: 'Virtual machines' }).getByRole('link').allTextContents();

/** The Connect check's list items, as shown. */
const connectCheckLines = (page: Page): Promise<string[]> => page.getByRole('alert', { name: 'Connect check' }).getByRole('listitem').allTextContents();

describe('RBAC: connect check and role assignment from the VM IAM tab, in Chromium', () => {
  let bastion: RunningBastion;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let adminContext: BrowserContext;
  let nobodyContext: BrowserContext;
  let alice: Page;
  let admin: Page;
  let nobody: Page;

  const newPage = async (): Promise<[BrowserContext, Page]> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    return [context, await context.newPage()];
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    bastion = await timed('start server', () => startBastionProcess({ configYaml: CONFIG }));
    browser = await timed('launch chromium', () => launchChromium());
    [aliceContext, alice] = await newPage();
    [adminContext, admin] = await newPage();
    [nobodyContext, nobody] = await newPage();
  });

  afterAll(async () => {
    if (bastion) writeFileSync(join(ARTIFACTS, 'rbac-server-output.txt'), bastion.output());
    await aliceContext?.close();
    await adminContext?.close();
    await nobodyContext?.close();
    await browser?.close();
    await bastion?.stop();
    console.log(`rbac-iam timings:\n${timings.map(([label, s]) => `  ${label}: ${s.toFixed(2)} s`).join('\n')}`);
  });

  it('alice sees web01 but not db01, and web01 cannot be reached: Connect is disabled and the NIC Reader is named', async () => {
    await timed('1. alice: sign in, VM list', async () => {
      await signIn(alice, bastion.url, ALICE.username, ALICE.password);
      await alice.getByRole('heading', { name: 'Virtual machines' }).waitFor();
      await poll(() => vmNames(alice)).toEqual(['web01']);
      expect(await alice.getByRole('table', { name: 'Virtual machines' }).textContent()).not.toContain('db01');
    });

    await timed('1. alice: web01 Overview, connect check', async () => {
      await alice.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: 'web01' }).click();
      await alice.getByRole('heading', { name: 'web01', level: 1 }).waitFor();
      expect(await alice.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected')).toBe('true');
      await poll(() => connectCheckLines(alice)).toEqual([MISSING_NIC]);
      const connect = alice.getByRole('toolbar', { name: 'Commands' }).getByRole('button', { name: 'Connect' });
      expect(await connect.isDisabled()).toBe(true);
      await shoot(alice, 'rbac-1-alice-connect-blocked.png');
    });
  });

  it('the admin grants alice Reader on web01-nic from web01\'s Access control (IAM) tab', async () => {
    await timed('2. admin: sign in, set password', async () => {
      await signIn(admin, bastion.url, bastion.firstAdmin!.username, bastion.firstAdmin!.password);
      await replaceOneTimePassword(admin, bastion.firstAdmin!.password, ADMIN_PASSWORD);
      // The admin (Owner at /) sees both VMs.
      await poll(async () => (await vmNames(admin)).sort()).toEqual(['db01', 'web01']);
    });

    await timed('2. admin: IAM tab, add Reader on the NIC', async () => {
      await admin.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name: 'web01' }).click();
      await admin.getByRole('heading', { name: 'web01', level: 1 }).waitFor();
      await admin.getByRole('tab', { name: 'Access control (IAM)' }).click();
      const scope = admin.getByLabel('Scope');
      await poll(() => scope.inputValue()).toBe(WEB01_ID);
      const assignments = admin.getByRole('table', { name: 'Role assignments' });
      // At the VM: alice's direct Reader and the admin's inherited Owner.
      await poll(() => assignments.getByRole('row').filter({ hasText: 'alice' }).allTextContents()).toEqual([expect.stringContaining('Reader')]);

      await scope.selectOption(NIC_ID); // waits for the option (the VM's NICs load after the tab opens)
      // The NIC's table: only the admin's inherited Owner and Key Vault Administrator, both at / (the VM's table also
      // lists alice; while loading there is no table).
      const rowsWith = async (text: string) => assignments.getByRole('row').filter({ hasText: text }).count();
      await poll(async () => ({ admin: await rowsWith('admin'), alice: await rowsWith('alice') })).toEqual({ admin: 2, alice: 0 });

      await admin.getByRole('button', { name: 'Add role assignment' }).click();
      const dialog = admin.getByRole('dialog', { name: 'Add role assignment' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('web01-nic');
      await dialog.getByLabel('Role').selectOption('Reader');
      await dialog.getByLabel('Member').selectOption('user:alice');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });

      const aliceRow = assignments.getByRole('row').filter({ hasText: 'alice' });
      await poll(() => aliceRow.count()).toBe(1);
      const cells = await aliceRow.getByRole('cell').allTextContents();
      expect(cells.slice(0, 5)).toEqual(['alice', 'User', 'Reader', 'web01-nic (network interface)', 'Direct']);
      await shoot(admin, 'rbac-2-admin-iam-nic.png');
    });
  });

  it('after Refresh, alice can Connect: the warning is gone and Connect opens "Connect using Bastion"', async () => {
    await timed('3. alice: refresh, connect', async () => {
      const commands = alice.getByRole('toolbar', { name: 'Commands' });
      await commands.getByRole('button', { name: 'Refresh' }).click();
      const connect = commands.getByRole('button', { name: 'Connect' });
      await poll(() => connect.isEnabled()).toBe(true);
      expect(await alice.getByRole('alert', { name: 'Connect check' }).count()).toBe(0);
      expect(await alice.getByRole('alert').count()).toBe(0);

      await connect.click();
      const dialog = alice.getByRole('dialog', { name: 'Connect using Bastion' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('bastion-rbac');
      await shoot(alice, 'rbac-3-alice-connect-dialog.png');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
    });
  });

  it('a user with no role assignment signs in and sees no virtual machine', async () => {
    await timed('4. nobody: sign in, VM list', async () => {
      await signIn(nobody, bastion.url, NOBODY.username, NOBODY.password);
      await nobody.getByRole('heading', { name: 'Virtual machines' }).waitFor();
      // The list answers 403 for a caller without any role: the page says so, and lists nothing.
      await poll(() => nobody.getByRole('alert').allTextContents()).toEqual([expect.stringMatching(/^You do not have permission for .+\./)]);
      expect(await nobody.getByRole('table', { name: 'Virtual machines' }).count()).toBe(0);
      const main = (await nobody.locator('body').textContent()) ?? '';
      expect(main).not.toContain('web01');
      expect(main).not.toContain('db01');
      await shoot(nobody, 'rbac-4-nobody-no-vms.png');
    });
  });
});
