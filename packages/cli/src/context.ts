import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AuditLog } from '../../server/src/audit/audit-log.js';
import { loadConfig, type BastionConfig } from '../../server/src/config/index.js';
import { notFound } from '../../server/src/errors.js';
import { UserDirectory } from '../../server/src/identity/users.js';
import * as ids from '../../server/src/inventory/ids.js';
import type { Resource } from '../../server/src/inventory/repository.js';
import { InventoryService } from '../../server/src/inventory/service.js';
import { RoleStore } from '../../server/src/rbac/index.js';
import { openStore, type Store } from '../../server/src/storage/open.js';
import type { Io } from './io.js';
import { formatResult, type Columns, type OutputFormat } from './output.js';
import { ensureSubscriptionId } from './subscription.js';

/** Options defined on the root command, valid before or after any subcommand. */
export interface GlobalOptions {
  config?: string;
  output: OutputFormat;
}

/** Everything a command needs: the configuration and the bastion's own database. */
export interface Ctx {
  io: Io;
  config: BastionConfig;
  store: Store;
  subscriptionId: string;
  inventory: InventoryService;
  users: UserDirectory;
  roles: RoleStore;
  audit: AuditLog;
  /** Who the audit log names for this run: `cli:<os user>`. */
  actor: string;
}

/** `cli:<os user name>`: the CLI works on the database directly, so the OS account is who did it. */
export function cliActor(env: NodeJS.ProcessEnv = process.env): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): fall back to the environment.
  }
  return `cli:${name || env.USER || env.LOGNAME || env.USERNAME || 'unknown'}`;
}

export async function openContext(globals: GlobalOptions, io: Io): Promise<Ctx> {
  const { config } = loadConfig({ file: globals.config, env: io.env });
  const store = await openStore({ url: config.database.url, sqliteFile: resolve(config.dataDir, 'bastion.db') });
  try {
    const subscriptionId = await ensureSubscriptionId(store.db, config);
    return {
      io,
      config,
      store,
      subscriptionId,
      inventory: new InventoryService(store.db, subscriptionId),
      users: new UserDirectory(store.db),
      roles: new RoleStore(store.db),
      audit: new AuditLog(store.db),
      actor: cliActor(io.env),
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

type ElementOf<T> = T extends Array<infer E> ? E : T;

/**
 * Wraps a command body as a commander action: opens the database, runs the body, prints what it returns
 * (nothing for `undefined`, as `az` prints nothing after a delete) and closes the database.
 */
export function action<O, T>(io: Io, body: (ctx: Ctx, opts: O) => Promise<T>, columns?: Columns<ElementOf<T>>) {
  return async (opts: O, cmd: Command): Promise<void> => {
    const globals = cmd.optsWithGlobals<GlobalOptions>();
    const ctx = await openContext(globals, io);
    try {
      const result = await body(ctx, opts);
      if (result !== undefined) io.stdout(formatResult(result as ElementOf<T>, globals.output, columns));
    } finally {
      await ctx.store.close();
    }
  };
}

/** A resource by ID, or a "… was not found." error naming it. */
export async function mustGet<P>(ctx: Ctx, id: string, what: string): Promise<Resource<P>> {
  const r = await ctx.inventory.get(id);
  if (!r) throw notFound(what);
  return r as Resource<P>;
}

export const requireGroup = (ctx: Ctx, rg: string): Promise<Resource> => mustGet(ctx, ids.resourceGroupId(ctx.subscriptionId, rg), `Resource group ${rg}`);

/** Options such as --remote-vnet take a name (in the command's resource group) or a full resource ID. */
export const nameOrId = (value: string, idOf: (name: string) => string): string => (value.startsWith('/') ? value : idOf(value));

/** `--tags a=b c=d` (a bare `k` means an empty value, as in az). */
export function parseTags(list: string[] | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    tags[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return tags;
}

/** Lists resources of one type, in one resource group (which must exist) or in the whole subscription. */
export async function listIn<P>(ctx: Ctx, type: ids.InventoryType, rg: string | undefined): Promise<Array<Resource<P>>> {
  if (rg) await requireGroup(ctx, rg);
  return ctx.inventory.list<P>(type, rg ? { resourceGroup: rg } : {});
}

export { ids };
export type { Resource };
