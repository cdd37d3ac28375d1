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
