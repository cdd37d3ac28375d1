/**
 * `ensureSubscriptionId(db, config)`: the subscription the inventory lives in — `inventory.subscription.id`
 * from the configuration, else the `subscription_id` row of `settings`, else a new UUID stored there.
 * The server keeps the one implementation (packages/server/src/inventory/subscription.ts); the CLI uses the
 * same function so both always agree on the subscription.
 */
export { ensureSubscriptionId, SUBSCRIPTION_SETTING } from '../../server/src/inventory/subscription.js';
