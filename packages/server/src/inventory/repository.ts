import type { Kysely, Transaction } from 'kysely';
import type { Database, ResourcesTable } from '../storage/schema.js';
import type { InventoryType } from './ids.js';

/** One inventory resource as the API shows it (ARM shape). */
export interface Resource<P = object> {
  id: string;
  name: string;
  type: InventoryType;
  resourceGroup: string | null;
  location: string | null;
  tags: Record<string, string>;
  properties: P;
}

export type Db = Kysely<Database> | Transaction<Database>;

const toResource = <P>(row: ResourcesTable): Resource<P> => ({
  id: row.id,
  name: row.name,
  type: row.type as InventoryType,
  resourceGroup: row.resource_group,
  location: row.location,
  tags: JSON.parse(row.tags) as Record<string, string>,
  properties: JSON.parse(row.properties) as P,
});

/** Generic storage of ARM-shaped resources in one table; rules live in the service, not here. */
export const resourceRepository = {
  async get<P = object>(db: Db, id: string): Promise<Resource<P> | undefined> {
    const row = await db.selectFrom('resources').selectAll().where('id_key', '=', id.toLowerCase()).executeTakeFirst();
    return row ? toResource<P>(row) : undefined;
  },

  async list<P = object>(db: Db, type: InventoryType, filter: { subscriptionId?: string; resourceGroup?: string; parentId?: string } = {}): Promise<Array<Resource<P>>> {
    let q = db.selectFrom('resources').selectAll().where('type', '=', type);
    if (filter.subscriptionId) q = q.where('subscription_id', '=', filter.subscriptionId.toLowerCase());
    if (filter.resourceGroup) q = q.where((eb) => eb(eb.fn('lower', ['resource_group']), '=', filter.resourceGroup!.toLowerCase()));
    if (filter.parentId) q = q.where('parent_key', '=', filter.parentId.toLowerCase());
    const rows = await q.orderBy('id_key').execute();
    return rows.map((r) => toResource<P>(r));
  },

  /** Insert or update; keeps the first-written spelling of the ID (and so of the name) and the creation time. */
  async put<P>(db: Db, r: Resource<P> & { subscriptionId: string; parentId?: string | null }): Promise<Resource<P>> {
    const now = new Date().toISOString();
    const existing = await db.selectFrom('resources').select(['id', 'name', 'created_at']).where('id_key', '=', r.id.toLowerCase()).executeTakeFirst();
    const row: ResourcesTable = {
      id_key: r.id.toLowerCase(),
      id: existing?.id ?? r.id,
      type: r.type,
      subscription_id: r.subscriptionId.toLowerCase(),
      resource_group: r.resourceGroup,
      name: existing?.name ?? r.name,
      parent_key: r.parentId?.toLowerCase() ?? null,
      location: r.location,
      tags: JSON.stringify(r.tags),
      properties: JSON.stringify(r.properties),
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    if (existing) await db.updateTable('resources').set(row).where('id_key', '=', row.id_key).execute();
    else await db.insertInto('resources').values(row).execute();
    return toResource<P>(row);
  },

  async delete(db: Db, id: string): Promise<void> {
    await db.deleteFrom('resources').where('id_key', '=', id.toLowerCase()).execute();
  },

  async countInGroup(db: Db, subscriptionId: string, resourceGroup: string): Promise<number> {
    const r = await db
      .selectFrom('resources')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('subscription_id', '=', subscriptionId.toLowerCase())
      .where((eb) => eb(eb.fn('lower', ['resource_group']), '=', resourceGroup.toLowerCase()))
      .where('type', '!=', 'Microsoft.Resources/resourceGroups')
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
};
