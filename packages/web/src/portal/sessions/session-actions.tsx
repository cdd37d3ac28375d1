import type { SessionRow } from './sessions-model.js';

/**
 * The Sessions table's per-row actions column. Empty today: the recordings work adds "Watch live" here
 * (and anything else that acts on one live session), so the page itself needs no change.
 */
export function SessionActions(_props: { session: SessionRow }) {
  return null;
}
