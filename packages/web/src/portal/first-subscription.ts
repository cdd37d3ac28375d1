import type { Subscription } from '../../../protocol/src/api-types.js';
import { ApiError, CLIENT_ERROR_CODES } from '../api/api-error.js';
import type { BastionApi } from '../api/bastion-api.js';

/**
 * Lists resources of the first subscription the user can see (Bastion has one); none when there is no
 * subscription at all.
 */
export async function listInFirstSubscription<T>(api: BastionApi, list: (subscriptionId: string) => Promise<T[]>): Promise<T[]> {
  const [first] = await api.subscriptions();
  return first ? list(first.subscriptionId) : [];
}

/** The first subscription the user can see; an ApiError saying so when there is none. */
export async function firstSubscription(api: BastionApi): Promise<Subscription> {
  const [first] = await api.subscriptions();
  if (!first) throw new ApiError(404, CLIENT_ERROR_CODES.http, 'There is no subscription you can access.');
  return first;
}
