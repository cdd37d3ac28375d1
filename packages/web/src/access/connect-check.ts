import type { ConnectCheck } from '../../../protocol/src/api-types.js';

/** Said when the server refuses without naming anything missing. */
export const CONNECT_REFUSED_FALLBACK = 'Bastion cannot connect to this virtual machine.';

/**
 * What stands between the user and a Bastion connection, as the server words it (one line per missing
 * role, verbatim); empty when the check allows the connection.
 */
export function connectCheckProblems(check: ConnectCheck): string[] {
  if (check.allowed) return [];
  const messages = (check.missing ?? []).map((m) => m.message).filter((m): m is string => typeof m === 'string' && m !== '');
  return messages.length > 0 ? messages : [CONNECT_REFUSED_FALLBACK];
}
