import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect-name.js';

/**
 * 0005: one connection record per SSH/RDP/tunnel connection (`bastion_audit_logs`, Azure's BastionAuditLogs
 * shape, design 0003 "Audit events"), and the last host key a VM offered that did not match its pin (so an
 * administrator can see and accept exactly that key). `target_resource_id_key` is the VM ID lowercased
 * (ARM IDs are case-insensitive) for filtering. Counters are bigint: a long session passes 2 GiB.
 * Append-only: never edit a released migration.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('bastion_audit_logs')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('bastion_resource_id', 'text')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('principal_name', 'text', (c) => c.notNull())
    .addColumn('principal_id', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('client_ip_address', 'text', (c) => c.notNull())
    .addColumn('client_port', 'integer')
    .addColumn('target_resource_id', 'text', (c) => c.notNull())
    .addColumn('target_resource_id_key', 'text', (c) => c.notNull())
    .addColumn('target_vm_ip_address', 'text', (c) => c.notNull())
    .addColumn('target_port', 'integer', (c) => c.notNull())
    .addColumn('tunnel_id', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text')
    .addColumn('duration_ms', 'bigint')
    .addColumn('bytes_in', 'bigint', (c) => c.notNull())
    .addColumn('bytes_out', 'bigint', (c) => c.notNull())
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('bastion_audit_logs_start').on('bastion_audit_logs').column('start_time').execute();
  await db.schema.createIndex('bastion_audit_logs_target').on('bastion_audit_logs').columns(['target_resource_id_key', 'start_time']).execute();

  // One statement per column: SQLite's ALTER TABLE adds a single column at a time.
  for (const column of ['offered_fingerprint', 'offered_key_type', 'offered_at']) {
    await db.schema.alterTable('ssh_host_keys').addColumn(column, 'text').execute();
  }
}
