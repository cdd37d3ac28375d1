import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { openPrintedUrl, replaceOneTimePassword, submitSignIn } from '../helpers/portal.js';
import { startBastionProcess, type RunningBastion } from '../helpers/bastion-process.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-results/e2e');
const NEW_PASSWORD = 'E2e-admin-password-42';
const INVENTORY = `
security:
  login: { maxFailures: 3, windowSeconds: 600 }
inventory:
  resourceGroups: [{ name: rg-e2e }]
  virtualNetworks:
    - name: vnet-e2e
      resourceGroup: rg-e2e
      addressSpace: [10.91.0.0/16]
      subnets: [{ name: AzureBastionSubnet, addressPrefix: 10.91.0.0/26 }, { name: snet-vms, addressPrefix: 10.91.1.0/24 }]
  virtualMachines:
    - { name: vm-web01, resourceGroup: rg-e2e, osType: linux, tags: { env: e2e }, nics: [{ name: vm-web01-nic, virtualNetwork: vnet-e2e, subnet: snet-vms, privateIpAddress: 10.91.1.4 }] }
  bastionHosts: [{ name: bastion-e2e, resourceGroup: rg-e2e, virtualNetwork: vnet-e2e }]
`;

const getJson = (url: string): Promise<{ status: number; body: unknown }> =>
  new Promise((res, rej) => {
    httpsRequest(url, { rejectUnauthorized: false }, (r) => {
      let data = '';
      r.on('data', (d: Buffer) => (data += d.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body: JSON.parse(data) as unknown }));
    })
      .on('error', rej)
      .end();
  });

/**
 * Pixel statistics of a screenshot, computed by the browser itself (no image library needed) in a blank
 * page: the portal's own CSP (rightly) refuses data: fetches.
 */
async function screenshotStats(browser: Browser, png: Buffer): Promise<{ colours: number; nonWhite: number; brandBlue: number }> {
  const scratch = await browser.newPage();
  try {
    return await scratch.evaluate(async (b64) => {
    const img = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    const colours = new Set<number>();
    let nonWhite = 0;
    let brandBlue = 0; // Fluent's brand colour #0F6CBD (the Sign in button, the product name)
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      if (data[i]! < 235 || data[i + 1]! < 235 || data[i + 2]! < 235) nonWhite++;
      if (Math.abs(data[i]! - 0x0f) < 12 && Math.abs(data[i + 1]! - 0x6c) < 12 && Math.abs(data[i + 2]! - 0xbd) < 12) brandBlue++;
    }
    return { colours: colours.size, nonWhite: nonWhite / (data.length / 4), brandBlue };
    }, png.toString('base64'));
  } finally {
    await scratch.close();
  }
}

describe('portal sign-in over HTTPS in Chromium', () => {
  let bastion: RunningBastion;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    bastion = await startBastionProcess({ configYaml: INVENTORY });
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await bastion?.stop();
  });

  it('prints the URL and the one-time first-admin login on first start', () => {
    expect(bastion.url).toBe(`https://127.0.0.1:${bastion.port}`);
    expect(bastion.firstAdmin?.username).toBe('admin');
    expect(bastion.firstAdmin?.password.length).toBeGreaterThanOrEqual(20);
    expect(bastion.output()).toMatch(/SHA-256 fingerprint [0-9A-F:]{95}/);
  });

  it('answers /healthz over HTTPS', async () => {
    expect(await getJson(`${bastion.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('shows the sign-in page and refuses a wrong password with a clear message', async () => {
    await openPrintedUrl(page, bastion, 'sign-in');
    expect(page.url()).toContain('/login');
    const png = await page.screenshot({ path: join(ARTIFACTS, '1-sign-in.png') });
    const stats = await screenshotStats(browser, png);
    expect(stats.colours).toBeGreaterThan(20); // a drawn form, not a blank page
    expect(stats.nonWhite).toBeGreaterThan(0.005);
    expect(stats.brandBlue).toBeGreaterThan(5000); // the blue "Sign in" button is drawn

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Invalid username or password.');
  });

  it('signs the first admin in, makes them choose a password, and shows the portal shell with the VM list', async () => {
    await submitSignIn(page, bastion.firstAdmin!.username, bastion.firstAdmin!.password);
    await replaceOneTimePassword(page, bastion.firstAdmin!.password, NEW_PASSWORD);
    const table = page.getByRole('table', { name: 'Virtual machines' });
    await expect.poll(() => table.textContent()).toContain('vm-web01');
    expect(await table.textContent()).toContain('10.91.1.4');
    await expect.poll(() => page.getByRole('navigation', { name: 'Portal navigation' }).textContent()).toContain('Audit log');
    const png = await page.screenshot({ path: join(ARTIFACTS, '2-portal.png') });
    const stats = await screenshotStats(browser, png);
    expect(stats.colours).toBeGreaterThan(20);

    // The session cookie is HttpOnly, Secure and SameSite=Strict.
    const cookie = (await context.cookies()).find((c) => c.name === 'bastion_session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
  });

  it('the printed URL opens the sign-in page when signed out and the portal when signed in', async () => {
    // A second browser profile: no cookie yet, as on a newcomer's first visit.
    const fresh = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 768 } });
    try {
      const tab = await fresh.newPage();
      const printed = `${bastion.url}/`; // exactly what `npm start` prints
      const first = await tab.goto(printed);
      expect(first?.headers()['content-type']).toMatch(/^text\/html/); // the portal, not a JSON error
      await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(new URL(tab.url()).pathname).toBe('/login');
      await tab.screenshot({ path: join(ARTIFACTS, '3-printed-url-signed-out.png') });
      await submitSignIn(tab, bastion.firstAdmin!.username, NEW_PASSWORD);
      await tab.getByRole('heading', { name: 'Virtual machines' }).waitFor();

      await tab.goto(printed); // typed again, now signed in: straight to the portal home
      await tab.getByRole('heading', { name: 'Virtual machines', level: 1 }).waitFor();
      expect(new URL(tab.url()).pathname).toBe('/portal/vms');
      await expect.poll(() => tab.getByRole('table', { name: 'Virtual machines' }).textContent()).toContain('vm-web01');
      expect(await tab.getByRole('heading', { name: 'Sign in' }).count()).toBe(0);
      await tab.screenshot({ path: join(ARTIFACTS, '4-printed-url-signed-in.png') });
    } finally {
      await fresh.close();
    }
  });

  it('records sign-ins in the audit log page', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    // Connections (BastionAuditLogs) open first; sign-ins are general audit events.
    await page.getByRole('tab', { name: 'Events' }).click();
    const table = page.getByRole('table', { name: 'Audit log' });
    await expect.poll(() => table.textContent()).toContain('user.login.failed');
    expect(await table.textContent()).toContain('user.login');
  });

  it('signs out back to the sign-in page, and the old session no longer works', async () => {
    await page.getByRole('button', { name: /^Account:/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // A deep link on purpose: the old session must not open a portal page directly either.
    await page.goto(`${bastion.url}/portal/vms`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('refuses sign-in after too many failures and says when to try again', async () => {
    for (let i = 0; i < 3; i++) {
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(`wrong-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Invalid username or password|Too many/);
    }
    await page.getByLabel('Password').fill(NEW_PASSWORD); // even the right password waits
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Too many failed sign-in attempts\. Try again in \d+ minutes?\./);
    writeFileSync(join(ARTIFACTS, 'server-output.txt'), bastion.output());
  });

  it('stops cleanly on Ctrl-C (SIGINT)', async () => {
    expect(await bastion.stop('SIGINT')).toBe(0);
    expect(bastion.output()).toContain('Bastion stopped.');
  });
});
