import type { Page } from 'playwright-core';

/** Fills and submits the sign-in form on the page that is showing it. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The first admin's forced password change: from the "Set a new password" page into the portal. */
export async function replaceOneTimePassword(page: Page, oneTimePassword: string, newPassword: string): Promise<void> {
  await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
  await page.getByLabel('Current password').fill(oneTimePassword);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Confirm new password').fill(newPassword);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
}

/** What the entry helpers need of a running bastion (a `RunningBastion` fits). */
export interface PrintedUrl {
  /** The origin `npm start` prints, without its trailing `/` (see bastion-process.ts). */
  url: string;
}

/** An account to sign in with; `newPassword` for a one-time password that must be replaced first. */
export interface PortalAccount {
  username: string;
  password: string;
  newPassword?: string;
}

/**
 * Opens exactly the URL `npm start` prints (`https://host:port/`), as someone typing it in would, and waits
 * for the portal home (the VM list) when signed in, or the sign-in page when not.
 */
export async function openPrintedUrl(page: Page, bastion: PrintedUrl, expect: 'portal' | 'sign-in' = 'portal'): Promise<void> {
  await page.goto(`${bastion.url}/`);
  const heading = expect === 'portal' ? 'Virtual machines' : 'Sign in';
  try {
    await page.getByRole('heading', { name: heading }).waitFor();
  } catch (err) {
    // Say what the newcomer saw instead: "timeout waiting for a heading" alone sends one guessing.
    const seen = ((await page.locator('body').innerText().catch(() => '')) || '(empty page)').replace(/\s+/g, ' ').slice(0, 300);
    throw new Error(`The printed URL did not show "${heading}": ${page.url()} shows: ${seen}`, { cause: err });
  }
}

/**
 * The newcomer's way in: the printed URL, the sign-in page it shows, sign in (replacing a one-time
 * password when `newPassword` is given), and the portal home. Every e2e suite enters like this.
 */
export async function openPortalAsNewcomer(page: Page, bastion: PrintedUrl, account: PortalAccount): Promise<void> {
  await openPrintedUrl(page, bastion, 'sign-in');
  await submitSignIn(page, account.username, account.password);
  if (account.newPassword !== undefined) await replaceOneTimePassword(page, account.password, account.newPassword);
  await page.getByRole('heading', { name: 'Virtual machines' }).waitFor();
}

/** Clicks a page in the left "Portal navigation" (its label, e.g. 'Bastions') and waits for its heading. */
export async function navigateTo(page: Page, label: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Portal navigation' }).getByRole('link', { name: label, exact: true });
  // At phone width the navigation is collapsed behind the top bar's menu button: open it as a user would.
  const menu = page.getByRole('button', { name: 'Navigation menu' });
  if (!(await link.isVisible()) && (await menu.isVisible()) && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  await link.click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor();
}

/** Virtual machines (via the navigation) → the VM's row link → its page, as a user clicks there. */
export async function openVm(page: Page, name: string): Promise<void> {
  await navigateTo(page, 'Virtual machines');
  await page.getByRole('table', { name: 'Virtual machines' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}
