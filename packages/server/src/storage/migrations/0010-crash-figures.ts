import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0010: what a crash must not lose (issue 13). `bastion_audit_logs.last_seen_time` is when the bastion last
 * wrote a live connection's byte counters (every few seconds, one batched UPDATE for all live sessions):
 * start-up recovery ends a row left open by a killed bastion at that time rather than at the restart, and
 * keeps the bytes. `recordings.note` says what the bastion did to a recording's file besides writing it (cut
 * back to its last complete frame after a write error, an empty file given its header at start-up, a cut
 * line removed), so the index tells the truth about the file. Both nullable: old rows stay as they are.
 * Append-only: never edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('bastion_audit_logs').addColumn('last_seen_time', 'text').execute();
  await db.schema.alterTable('recordings').addColumn('note', 'text').execute();
}
