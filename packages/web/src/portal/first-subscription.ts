import type { BastionApi } from '../api/bastion-api.js';

/**
 * Lists resources of the first subscription the user can see (Bastion has one); none when there is no
 * subscription at all.
 */
export async function listInFirstSubscription<T>(api: BastionApi, list: (subscriptionId: string) => Promise<T[]>): Promise<T[]> {
  const [first] = await api.subscriptions();
  return first ? list(first.subscriptionId) : [];
}
