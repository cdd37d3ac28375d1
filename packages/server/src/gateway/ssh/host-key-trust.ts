import type { Kysely } from 'kysely';
import type { AuditInput, AuditLog } from '../../audit/audit-log.js';
import type { Database } from '../../storage/schema.js';
import type { VerifyHostKey } from './connect.js';
import { sshErrors } from './errors.js';

/** Row shape of migration 0003, joined onto the shared `Database` with `withTables` (which wants type aliases). */
export type SshHostKeysTable = {
  vm_id_key: string;
  host: string;
  port: number;
  key_type: string;
  fingerprint: string;
  first_seen_at: string;
  accepted_by: string | null;
  /** Migration 0005: the last key the VM offered that did not match (cleared when a key is accepted). */
  offered_fingerprint?: string | null;
  offered_key_type?: string | null;
  offered_at?: string | null;
};

export type SshHostKeyTables = { ssh_host_keys: SshHostKeysTable };

export interface PinnedHostKey {
  /** The VM's resource ID, lowercased. */
  vmIdKey: string;
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  firstSeenAt: string;
  /** null when recorded automatically on first use; else the administrator who accepted it. */
  acceptedBy: string | null;
  /** The last other key the VM offered (a refused connection), until an administrator accepts a key. */
  offered: { fingerprint: string; keyType: string; seenAt: string } | null;
}

export type HostKeyCheck =
  /** First connection: the key was recorded (shown to the user as "first use"). */
  | { status: 'new'; pinned: PinnedHostKey }
  | { status: 'match'; pinned: PinnedHostKey }
  /** The VM offers another key than the pinned one: refuse until an administrator accepts it. */
  | { status: 'changed'; expected: string; expectedKeyType: string; pinned: PinnedHostKey };

const toPinned = (row: SshHostKeysTable): PinnedHostKey => ({
  vmIdKey: row.vm_id_key,
  host: row.host,
  port: Number(row.port),
  keyType: row.key_type,
  fingerprint: row.fingerprint,
  firstSeenAt: row.first_seen_at,
  acceptedBy: row.accepted_by,
  offered: row.offered_fingerprint ? { fingerprint: row.offered_fingerprint, keyType: row.offered_key_type ?? 'unknown', seenAt: row.offered_at ?? '' } : null,
});

const vmKey = (vmId: string): string => vmId.trim().toLowerCase();

/** The audit event of a pin on first use, written in the pin's own transaction (design 0009). */
export interface PinAudit {
  audit: AuditLog;
  event: (pinned: PinnedHostKey) => AuditInput;
}

/**
 * Trust on first use for VM host keys (table `ssh_host_keys`, migration 0003): the first connection to a
 * VM's port pins the key's SHA-256 fingerprint; later connections must present the same key.
 */
export class HostKeyTrust {
  private readonly db: Kysely<Database & SshHostKeyTables>;

  constructor(db: Kysely<Database>, private readonly now: () => Date = () => new Date()) {
    this.db = db.withTables<SshHostKeyTables>();
  }

  /** The same store over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): HostKeyTrust {
    return new HostKeyTrust(tx, this.now);
  }

  async get(vmId: string, port: number): Promise<PinnedHostKey | undefined> {
    const row = await this.db.selectFrom('ssh_host_keys').selectAll().where('vm_id_key', '=', vmKey(vmId)).where('port', '=', port).executeTakeFirst();
    return row ? toPinned(row) : undefined;
  }

  /** Every pinned key of a VM (one per port), lowest port first. */
  async list(vmId: string): Promise<PinnedHostKey[]> {
    const rows = await this.db.selectFrom('ssh_host_keys').selectAll().where('vm_id_key', '=', vmKey(vmId)).orderBy('port').execute();
    return rows.map(toPinned);
  }

  /** Compares the offered key with the pinned one; pins it when there is none yet ('new'). */
  async check(vmId: string, host: string, port: number, keyType: string, fingerprint: string, pinAudit?: PinAudit): Promise<HostKeyCheck> {
    let pinned = await this.get(vmId, port);
    if (!pinned) {
      // The pin and its audit event commit together: a crash never leaves a trusted key nobody was told of.
      const pin = async (store: HostKeyTrust, tx?: Kysely<Database>): Promise<PinnedHostKey | 'new'> => {
        const inserted = await store.db
          .insertInto('ssh_host_keys')
          .values({ vm_id_key: vmKey(vmId), host, port, key_type: keyType, fingerprint, first_seen_at: this.now().toISOString(), accepted_by: null })
          .onConflict((oc) => oc.columns(['vm_id_key', 'port']).doNothing())
          .executeTakeFirst();
        const row = await store.get(vmId, port);
        if (!row) throw new Error(`ssh_host_keys: the row for ${vmId}:${port} vanished after insert`);
        // A concurrent first connection may have pinned another key: compare with whatever won.
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 && row.fingerprint === fingerprint) {
          if (tx && pinAudit) await pinAudit.audit.writeIn(tx, pinAudit.event(row));
          pinned = row;
          return 'new';
        }
        return row;
      };
      const result = pinAudit ? await pinAudit.audit.change((tx) => pin(this.in(tx), tx)) : await pin(this);
      if (result === 'new') return { status: 'new', pinned: pinned! };
      pinned = result;
      if (pinned.fingerprint === fingerprint) return { status: 'match', pinned };
    }
    if (pinned.fingerprint === fingerprint) return { status: 'match', pinned };
    // Remembered so that an administrator sees, and can accept, exactly the key that was refused.
    const seenAt = this.now().toISOString();
    await this.db
      .updateTable('ssh_host_keys')
      .set({ offered_fingerprint: fingerprint, offered_key_type: keyType, offered_at: seenAt })
      .where('vm_id_key', '=', vmKey(vmId))
      .where('port', '=', port)
      .execute();
    return { status: 'changed', expected: pinned.fingerprint, expectedKeyType: pinned.keyType, pinned: { ...pinned, offered: { fingerprint, keyType, seenAt } } };
  }

  /** An administrator accepts `fingerprint` as the VM's key (after a change, or ahead of first use). */
  async accept(vmId: string, port: number, fingerprint: string, by: string, opts: { keyType?: string; host?: string } = {}): Promise<PinnedHostKey> {
    const existing = await this.get(vmId, port);
    const row: SshHostKeysTable = {
      vm_id_key: vmKey(vmId),
      host: opts.host ?? existing?.host ?? '',
      port,
      key_type: opts.keyType ?? existing?.keyType ?? 'unknown',
      fingerprint,
      first_seen_at: this.now().toISOString(),
      accepted_by: by,
      offered_fingerprint: null,
      offered_key_type: null,
      offered_at: null,
    };
    await this.db
      .insertInto('ssh_host_keys')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['vm_id_key', 'port']).doUpdateSet({
          host: row.host,
          key_type: row.key_type,
          fingerprint: row.fingerprint,
          first_seen_at: row.first_seen_at,
          accepted_by: row.accepted_by,
          offered_fingerprint: null,
          offered_key_type: null,
          offered_at: null,
        }),
      )
      .execute();
    return toPinned(row);
  }

  /**
   * A `verifyHostKey` hook for openSshSession: accepts new and matching keys, rejects a changed one with
   * SshError 'host_key_changed'. `onResult` sees every check (e.g. to show the fingerprint on first use).
   */
  verifier(vmId: string, host: string, port: number, onResult?: (result: HostKeyCheck) => void, pinAudit?: PinAudit): VerifyHostKey {
    return async (fingerprint, keyType) => {
      const result = await this.check(vmId, host, port, keyType, fingerprint, pinAudit);
      onResult?.(result);
      if (result.status === 'changed') throw sshErrors.hostKeyChanged(result.expected, fingerprint, keyType);
      return true;
    };
  }
}
