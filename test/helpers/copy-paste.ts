import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestbedInfo } from './testbed.js';

/** The ARM properties a bastion host PUT accepts (what GET returns may hold more, e.g. provisioning state). */
const PUT_PROPERTIES = ['virtualNetwork', 'enableIpConnect', 'enableShareableLink', 'disableCopyPaste', 'onPremisesRanges', 'idleTimeoutMinutes', 'maxSessionMinutes'] as const;

/**
 * Turns Azure's `disableCopyPaste` on or off on the testbed's bastion through the ARM API, from the
 * signed-in page (its cookie and CSRF token): GET the bastion host, PUT it back with its properties and the flag.
 */
export async function setDisableCopyPaste(page: Page, testbed: TestbedInfo, disabled: boolean): Promise<void> {
  const path = `/api/subscriptions/${testbed.subscriptionId}/resourceGroups/${testbed.resourceGroup}/providers/Microsoft.Network/bastionHosts/${testbed.bastionHost}`;
  const result = await page.evaluate(
    async ({ path, disabled, keys }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const current = (await (await fetch(path)).json()) as { properties: Record<string, unknown>; tags?: Record<string, string> };
      const properties: Record<string, unknown> = {};
      for (const k of keys) if (current.properties[k] !== undefined) properties[k] = current.properties[k];
      properties.disableCopyPaste = disabled;
      const res = await fetch(path, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken },
        body: JSON.stringify({ properties, ...(current.tags ? { tags: current.tags } : {}) }),
      });
      return { status: res.status, body: await res.text() };
    },
    { path, disabled, keys: PUT_PROPERTIES },
  );
  expect(result.status, result.body).toBe(200);
  expect(JSON.parse(result.body)).toMatchObject({ properties: { disableCopyPaste: disabled } });
}

/** Reads `read` every 250 ms for `ms` and fails as soon as it returns `forbidden`. */
export async function staysOtherThan(read: () => Promise<string>, forbidden: string, ms = 5_000): Promise<void> {
  await holds(async () => expect(await read()).not.toBe(forbidden), ms);
}

/** Reads `read` every 250 ms for `ms` and fails as soon as it returns something else than `expected`. */
export async function staysEqual(read: () => Promise<string>, expected: string, ms = 5_000): Promise<void> {
  await holds(async () => expect(await read()).toBe(expected), ms);
}

async function holds(check: () => Promise<void>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  do {
    await check();
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < until);
}
