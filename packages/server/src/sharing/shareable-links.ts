import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.js';

/** Row shape of migration 0009 (a type alias: `withTables` wants one). */
export type ShareableLinksTable = {
  id: string;
  secret_hash: string;
  bastion_id: string;
  bastion_id_key: string;
  vm_id: string;
  vm_id_key: string;
  created_by: string;
  created_by_id: string;
  created_at: string;
  expires_at: string | null;
};
type Tables = { shareable_links: ShareableLinksTable };

/** Azure's limit: at most this many links per bastion. */
export const MAX_LINKS_PER_BASTION = 500;
/** The path a link's URL opens (the web client's share page). */
export const SHARE_PATH = '/share/';

/** A link as listed: everything but the secret, which is shown once at creation (design 0007). */
export interface ShareableLinkView {
  id: string;
  vm: { id: string };
  bastionId: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
}

export type LinkLookup = { ok: true; link: ShareableLinkView } | { ok: false; reason: 'unknown' | 'expired' };

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const view = (r: ShareableLinksTable): ShareableLinkView => ({ id: r.id, vm: { id: r.vm_id }, bastionId: r.bastion_id, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at });

/**
 * Shareable links (design 0007): 256-bit secrets in the URL, only their SHA-256 stored, so neither a leaked
 * database nor the API can reproduce a link after it was handed out. Deleting a row revokes the link at once.
 */
export class ShareableLinks {
  private readonly db: Kysely<Database & Tables>;

  constructor(db: Kysely<Database>, private readonly now: () => Date = () => new Date()) {
    this.db = db.withTables<Tables>();
  }

  /** The same store over a caller's transaction (design 0009: the change and its audit event commit together). */
  in(tx: Kysely<Database>): ShareableLinks {
    return new ShareableLinks(tx, this.now);
  }

  async count(bastionId: string): Promise<number> {
    const r = await this.db.selectFrom('shareable_links').select((eb) => eb.fn.countAll<string>().as('n')).where('bastion_id_key', '=', bastionId.toLowerCase()).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** One new link per VM; answers each with its secret (to build the URL once). */
  async create(input: { bastionId: string; vmIds: string[]; createdBy: string; createdById: string; expiresAt: string | null }): Promise<Array<{ secret: string; link: ShareableLinkView }>> {
    const createdAt = this.now().toISOString();
    const made = input.vmIds.map((vmId) => {
      const secret = randomBytes(32).toString('base64url');
      const row: ShareableLinksTable = {
        id: randomUUID(),
        secret_hash: sha256(secret),
        bastion_id: input.bastionId,
        bastion_id_key: input.bastionId.toLowerCase(),
        vm_id: vmId,
        vm_id_key: vmId.toLowerCase(),
        created_by: input.createdBy,
        created_by_id: input.createdById,
        created_at: createdAt,
        expires_at: input.expiresAt,
      };
      return { secret, row };
    });
    if (made.length > 0) await this.db.insertInto('shareable_links').values(made.map((m) => m.row)).execute();
    return made.map((m) => ({ secret: m.secret, link: view(m.row) }));
  }

  /** The bastion's links (optionally only those of some VMs), oldest first. */
  async list(bastionId: string, vmIds?: string[]): Promise<ShareableLinkView[]> {
    let q = this.db.selectFrom('shareable_links').selectAll().where('bastion_id_key', '=', bastionId.toLowerCase());
    if (vmIds && vmIds.length > 0) q = q.where('vm_id_key', 'in', vmIds.map((v) => v.toLowerCase()));
    return (await q.orderBy('created_at').orderBy('id').execute()).map(view);
  }

  /** Revokes links by VM and/or by link ID; answers the links deleted. */
  async delete(bastionId: string, by: { vmIds?: string[]; ids?: string[] }): Promise<ShareableLinkView[]> {
    const vmKeys = (by.vmIds ?? []).map((v) => v.toLowerCase());
    const ids = by.ids ?? [];
    if (vmKeys.length === 0 && ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('shareable_links')
      .selectAll()
      .where('bastion_id_key', '=', bastionId.toLowerCase())
      .where((eb) => eb.or([...(vmKeys.length ? [eb('vm_id_key', 'in', vmKeys)] : []), ...(ids.length ? [eb('id', 'in', ids)] : [])]))
      .execute();
    if (rows.length > 0) await this.db.deleteFrom('shareable_links').where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.map(view);
  }

  /** A link by its ID, if it still exists and has not expired (re-checked when a visitor's session starts). */
  async get(id: string): Promise<ShareableLinkView | undefined> {
    const row = await this.db.selectFrom('shareable_links').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || (row.expires_at !== null && row.expires_at <= this.now().toISOString())) return undefined;
    return view(row);
  }

  /** The link a visitor's secret names: unknown (never existed, or revoked) or expired tell apart only in the audit. */
  async lookup(secret: string): Promise<LinkLookup> {
    if (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return { ok: false, reason: 'unknown' };
    const row = await this.db.selectFrom('shareable_links').selectAll().where('secret_hash', '=', sha256(secret)).executeTakeFirst();
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.expires_at !== null && row.expires_at <= this.now().toISOString()) return { ok: false, reason: 'expired' };
    return { ok: true, link: view(row) };
  }
}
