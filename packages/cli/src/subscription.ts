import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BastionConfig } from '../../server/src/config/index.js';
import type { Database } from '../../server/src/storage/schema.js';

/** Key in the `settings` table under which the generated subscription ID is kept. */
export const SUBSCRIPTION_SETTING = 'subscription_id';

/**
 * The subscription the inventory lives in: `inventory.subscription.id` from the configuration if set,
 * else the ID stored in `settings`, else a new random UUID that is stored for every later start. Safe when
 * the server and the CLI race on first use: the first insert wins and both read it back.
 */
export async function ensureSubscriptionId(db: Kysely<Database>, config: Pick<BastionConfig, 'inventory'>): Promise<string> {
  const configured = config.inventory?.subscription?.id;
  if (configured) return configured;
  const read = async (): Promise<string | undefined> =>
    (await db.selectFrom('settings').select('value').where('key', '=', SUBSCRIPTION_SETTING).executeTakeFirst())?.value;
  const stored = await read();
  if (stored) return stored;
  await db
    .insertInto('settings')
    .values({ key: SUBSCRIPTION_SETTING, value: randomUUID() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const created = await read();
  if (!created) throw new Error('could not store the subscription ID in the settings table.');
  return created;
}
