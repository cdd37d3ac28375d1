import { X509Certificate } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { RdpCertificateEntry, RdpCertificateInfo } from '../../../../protocol/src/rdp-relay.js';
import type { Database } from '../../storage/schema.js';

/** Row shape of migration 0006 (a type alias: `withTables` wants one). */
export type RdpCertificatesTable = {
  vm_id_key: string;
  port: number;
  host: string;
  fingerprint: string;
  subject: string;
  valid_from: string;
  valid_to: string;
  pinned_at: string;
  accepted_by: string | null;
  offered_fingerprint: string | null;
  offered_subject: string | null;
  offered_valid_from: string | null;
  offered_valid_to: string | null;
  offered_at: string | null;
};
export type RdpCertificateTables = { rdp_certificates: RdpCertificatesTable };

export type CertificateCheck =
  | { status: 'new'; entry: RdpCertificateEntry }
  | { status: 'match'; entry: RdpCertificateEntry }
  /** Another certificate than the pinned one: refuse until an administrator accepts it. */
  | { status: 'changed'; entry: RdpCertificateEntry };

const isoOr = (s: string): string => {
  const t = Date.parse(s);
  return Number.isNaN(t) ? s : new Date(t).toISOString();
};

/** Fingerprint, subject and validity of a DER certificate (the leaf the VM presented). */
export function describeCertificate(der: Uint8Array): RdpCertificateInfo {
  const cert = new X509Certificate(der);
  return { fingerprint: cert.fingerprint256, subject: cert.subject.replace(/\n/g, ', '), validFrom: isoOr(cert.validFrom), validTo: isoOr(cert.validTo) };
}

const vmKey = (vmId: string): string => vmId.trim().toLowerCase();

function toEntry(r: Selectable<RdpCertificatesTable>): RdpCertificateEntry {
  const lastOffered =
    r.offered_fingerprint !== null
      ? { fingerprint: r.offered_fingerprint, subject: r.offered_subject ?? '', validFrom: r.offered_valid_from ?? '', validTo: r.offered_valid_to ?? '', offeredAt: r.offered_at ?? '' }
      : null;
  return {
    port: Number(r.port),
    host: r.host,
    pinned: { fingerprint: r.fingerprint, subject: r.subject, validFrom: r.valid_from, validTo: r.valid_to, pinnedAt: r.pinned_at, acceptedBy: r.accepted_by },
    lastOffered,
    mismatch: lastOffered !== null && lastOffered.fingerprint !== r.fingerprint,
  };
}

/**
 * Trust on first use for VMs' RDP certificates (table `rdp_certificates`). IronRDP in the browser takes
 * the server's public key without validating it, so this pin is the only thing standing between the
 * user's password and an impostor on the VM's address.
 */
export class RdpCertificateTrust {
  private readonly db: Kysely<Database & RdpCertificateTables>;

  constructor(db: Kysely<Database>, private readonly now: () => Date = () => new Date()) {
    this.db = db.withTables<RdpCertificateTables>();
  }

  /** The same store over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): RdpCertificateTrust {
    return new RdpCertificateTrust(tx, this.now);
  }

  async list(vmId: string): Promise<RdpCertificateEntry[]> {
    const rows = await this.db.selectFrom('rdp_certificates').selectAll().where('vm_id_key', '=', vmKey(vmId)).orderBy('port').execute();
    return rows.map(toEntry);
  }

  async get(vmId: string, port: number): Promise<RdpCertificateEntry | undefined> {
    const row = await this.db.selectFrom('rdp_certificates').selectAll().where('vm_id_key', '=', vmKey(vmId)).where('port', '=', port).executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  /** Compares the offered certificate with the pin; pins it when there is none ('new'); records a mismatch. */
  async check(vmId: string, host: string, port: number, offered: RdpCertificateInfo): Promise<CertificateCheck> {
    let entry = await this.get(vmId, port);
    if (!entry) {
      await this.db
        .insertInto('rdp_certificates')
        .values({ vm_id_key: vmKey(vmId), port, host, ...columns(offered), pinned_at: this.now().toISOString(), accepted_by: null, ...noOffer })
        .onConflict((oc) => oc.columns(['vm_id_key', 'port']).doNothing())
        .execute();
      entry = await this.get(vmId, port);
      if (!entry) throw new Error(`rdp_certificates: the row for ${vmId}:${port} vanished after insert`);
      // A concurrent first connection may have pinned another certificate: compare with whatever won.
      if (entry.pinned.fingerprint === offered.fingerprint) return { status: 'new', entry };
    }
    if (entry.pinned.fingerprint === offered.fingerprint) return { status: 'match', entry };
    await this.db
      .updateTable('rdp_certificates')
      .set({ offered_fingerprint: offered.fingerprint, offered_subject: offered.subject, offered_valid_from: offered.validFrom, offered_valid_to: offered.validTo, offered_at: this.now().toISOString() })
      .where('vm_id_key', '=', vmKey(vmId))
      .where('port', '=', port)
      .execute();
    return { status: 'changed', entry: (await this.get(vmId, port))! };
  }

  /**
   * An administrator accepts the certificate last offered on `port` (its fingerprint must be the one they
   * were shown). Returns the updated entry, or undefined when nothing with that fingerprint was offered.
   */
  async accept(vmId: string, port: number, fingerprint: string, by: string): Promise<{ before: RdpCertificateEntry; after: RdpCertificateEntry } | undefined> {
    const before = await this.get(vmId, port);
    const offered = before?.lastOffered;
    if (!before || !offered || offered.fingerprint.toUpperCase() !== fingerprint.trim().toUpperCase()) return undefined;
    await this.db
      .updateTable('rdp_certificates')
      .set({ ...columns(offered), pinned_at: this.now().toISOString(), accepted_by: by, ...noOffer })
      .where('vm_id_key', '=', vmKey(vmId))
      .where('port', '=', port)
      .execute();
    return { before, after: (await this.get(vmId, port))! };
  }
}

const columns = (c: RdpCertificateInfo) => ({ fingerprint: c.fingerprint, subject: c.subject, valid_from: c.validFrom, valid_to: c.validTo });
const noOffer = { offered_fingerprint: null, offered_subject: null, offered_valid_from: null, offered_valid_to: null, offered_at: null };
