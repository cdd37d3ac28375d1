import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { notFound, validationError } from '../../server/src/errors.js';
import { checkSshPrivateKeySecret, ensureMasterKey, secretResourceId, VaultStore, vaultResourceId, type KeyVault, type SecretContentType, type SecretMetadata, type VaultTables } from '../../server/src/vault/index.js';
import { action, type Ctx } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

const vaultColumns: Columns<KeyVault> = { Name: (v) => v.name, ResourceGroup: (v) => v.resourceGroup, CreatedBy: (v) => v.createdBy, Id: (v) => v.id };
const secretColumns: Columns<SecretMetadata> = { Name: (s) => s.name, ContentType: (s) => s.contentType, HasPassphrase: (s) => s.hasPassphrase, Updated: (s) => s.updatedAt, UpdatedBy: (s) => s.updatedBy };

/** The vault store over the CLI's database, with the same master key as the server (made on first use, like the server does). */
function vaultOf(ctx: Ctx): VaultStore {
  const dataDir = resolve(ctx.config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return new VaultStore(ctx.store.db, ensureMasterKey(ctx.config.vault, dataDir).masterKey);
}

/** The vault's ID: in the resource group when given, else the only vault of that name in the subscription (vault names are global in Azure, so az needs no -g). */
async function vaultIdOf(ctx: Ctx, vaults: VaultStore, name: string, rg: string | undefined): Promise<string> {
  if (rg) return vaultResourceId({ subscriptionId: ctx.subscriptionId, resourceGroup: rg, vaultName: name });
  const found = (await vaults.listVaults({ subscriptionId: ctx.subscriptionId })).filter((v) => v.name.toLowerCase() === name.toLowerCase());
  if (found.length > 1) throw validationError(`Several key vaults are named ${name} (in ${found.map((v) => v.resourceGroup).join(', ')}): give --resource-group.`);
  if (!found[0]) throw notFound(`Key vault ${name}`);
  return found[0].id;
}

const readFile = (file: string, what: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw validationError(`${what} ${file} cannot be read: ${(err as Error).message}`);
  }
};

interface VaultOptions {
  name: string;
  resourceGroup?: string;
}
interface SecretOptions {
  vaultName: string;
  resourceGroup?: string;
  name: string;
}
interface SecretSetOptions extends SecretOptions {
  contentType: SecretContentType;
  valueFile?: string;
  valueStdin?: boolean;
  passphraseFile?: string;
}

async function setSecret(ctx: Ctx, o: SecretSetOptions, io: Io): Promise<SecretMetadata> {
  if ((o.valueFile === undefined) === (o.valueStdin !== true)) throw validationError('Give the value with exactly one of --value-file <file> or --value-stdin (never on the command line, where it would stay in the shell history).');
  let value = o.valueFile !== undefined ? readFile(o.valueFile, 'Value file') : await io.readStdin();
  // A password read from a file or a pipe ends with the newline the editor or `echo` added; a key keeps its own.
  if (o.contentType === 'password') value = value.replace(/\r?\n$/, '');
  const passphrase = o.passphraseFile === undefined ? undefined : readFile(o.passphraseFile, 'Passphrase file').replace(/\r?\n$/, '');
  if (o.contentType === 'ssh-private-key') checkSshPrivateKeySecret(value, passphrase);
  const vaults = vaultOf(ctx);
  const vaultId = await vaultIdOf(ctx, vaults, o.vaultName, o.resourceGroup);
  // The change and its audit event in one transaction (design 0009).
  return ctx.audit.change(async (tx) => {
    const s = await vaults.in(tx).setSecret(vaultId, { name: o.name, contentType: o.contentType, value, passphrase }, { actor: ctx.actor });
    await ctx.audit.writeIn(tx, { actor: ctx.actor, clientIp: null, type: 'vault.secret.written', outcome: 'success', target: s.id, message: `Secret ${s.name} set in key vault ${o.vaultName}.`, details: { contentType: s.contentType, hasPassphrase: s.hasPassphrase } });
    return s;
  });
}

const secretIdOf = async (ctx: Ctx, vaults: VaultStore, o: SecretOptions): Promise<string> => {
  const v = await vaults.getVault(await vaultIdOf(ctx, vaults, o.vaultName, o.resourceGroup));
  return secretResourceId({ subscriptionId: v.subscriptionId, resourceGroup: v.resourceGroup, vaultName: v.name, secretName: o.name });
};

/** The stored ID of the key vault or secret `scope` names (for role assignments there), if it exists; needs no master key. */
export async function keyVaultScopeId(ctx: Ctx, scope: string): Promise<string | undefined> {
  const db = ctx.store.db.withTables<VaultTables>();
  const key = scope.toLowerCase();
  const row = /\/secrets\/[^/]+$/i.test(scope)
    ? await db.selectFrom('key_vault_secrets').select('id').where('id_key', '=', key).executeTakeFirst()
    : await db.selectFrom('key_vaults').select('id').where('id_key', '=', key).executeTakeFirst();
  return row?.id;
}

/** `bastion keyvault …`: key vaults and their secrets, as `az keyvault`. Values are never printed. */
export function registerKeyVaultCommands(program: Command, io: Io): void {
  const kv = program.command('keyvault').description('Manage key vaults and their secrets (az keyvault); secret values are never shown.');
  const vaultOpts = (c: Command, rgRequired: boolean): Command =>
    (rgRequired ? c.requiredOption('-g, --resource-group <rg>', 'resource group') : c.option('-g, --resource-group <rg>', 'resource group (needed only when two vaults share the name)')).requiredOption('-n, --name <name>', 'key vault name');

  vaultOpts(kv.command('create').description('Create a key vault in an existing resource group.'), true).action(
    action(io, async (ctx, o: Required<VaultOptions>) => {
      const vaults = vaultOf(ctx);
      return ctx.audit.change(async (tx) => {
        const v = await vaults.in(tx).createVault({ subscriptionId: ctx.subscriptionId, resourceGroup: o.resourceGroup, vaultName: o.name }, { createdBy: ctx.actor });
        await ctx.audit.writeIn(tx, { actor: ctx.actor, clientIp: null, type: 'vault.created', outcome: 'success', target: v.id, message: `Key vault ${v.name} created.` });
        return v;
      });
    }, vaultColumns),
  );

  kv.command('list')
    .description('List key vaults.')
    .option('-g, --resource-group <rg>', 'only this resource group')
    .action(action(io, async (ctx, o: { resourceGroup?: string }) => vaultOf(ctx).listVaults({ subscriptionId: ctx.subscriptionId, resourceGroup: o.resourceGroup }), vaultColumns));

  vaultOpts(kv.command('show').description('Show a key vault.'), false).action(
    action(io, async (ctx, o: VaultOptions) => {
      const vaults = vaultOf(ctx);
      return vaults.getVault(await vaultIdOf(ctx, vaults, o.name, o.resourceGroup));
    }, vaultColumns),
  );

  vaultOpts(kv.command('delete').description('Delete an empty key vault (refused while it holds secrets).'), false)
    .option('-y, --yes', 'accepted for az compatibility; there is no prompt')
    .action(
      action(io, async (ctx, o: VaultOptions) => {
        const vaults = vaultOf(ctx);
        const id = await vaultIdOf(ctx, vaults, o.name, o.resourceGroup);
        await ctx.audit.change(async (tx) => {
          const v = await vaults.in(tx).deleteVault(id);
          await ctx.audit.writeIn(tx, { actor: ctx.actor, clientIp: null, type: 'vault.deleted', outcome: 'success', target: v.id, message: `Key vault ${v.name} deleted.` });
        });
      }),
    );

  const secret = kv.command('secret').description('Manage key vault secrets (az keyvault secret): SSH passwords and private keys.');
  const secretOpts = (c: Command): Command =>
    c.requiredOption('--vault-name <vault>', 'key vault name').option('-g, --resource-group <rg>', "the vault's resource group (needed only when two vaults share the name)").requiredOption('-n, --name <name>', 'secret name');

  secretOpts(secret.command('set').description('Create a secret or replace its value; prints its metadata, never the value.'))
    .addOption(new Option('--content-type <type>', 'what the secret holds').choices(['password', 'ssh-private-key']).makeOptionMandatory())
    .option('--value-file <file>', 'read the value from this file (a private key file, or a password)')
    .option('--value-stdin', 'read the value from standard input (all of it)')
    .option('--passphrase-file <file>', 'passphrase of an encrypted private key (stored encrypted with it)')
    .action(action(io, (ctx, o: SecretSetOptions) => setSecret(ctx, o, io), secretColumns));

  secret
    .command('list')
    .description("List a vault's secrets (metadata only).")
    .requiredOption('--vault-name <vault>', 'key vault name')
    .option('-g, --resource-group <rg>', "the vault's resource group (needed only when two vaults share the name)")
    .action(
      action(io, async (ctx, o: { vaultName: string; resourceGroup?: string }) => {
        const vaults = vaultOf(ctx);
        return vaults.listSecrets(await vaultIdOf(ctx, vaults, o.vaultName, o.resourceGroup));
      }, secretColumns),
    );

  secretOpts(secret.command('show').description("Show a secret's metadata (never its value).")).action(
    action(io, async (ctx, o: SecretOptions) => {
      const vaults = vaultOf(ctx);
      return vaults.getSecret(await secretIdOf(ctx, vaults, o));
    }, secretColumns),
  );

  secretOpts(secret.command('delete').description('Delete a secret.')).action(
    action(io, async (ctx, o: SecretOptions) => {
      const vaults = vaultOf(ctx);
      const id = await secretIdOf(ctx, vaults, o);
      await ctx.audit.change(async (tx) => {
        const s = await vaults.in(tx).deleteSecret(id);
        await ctx.audit.writeIn(tx, { actor: ctx.actor, clientIp: null, type: 'vault.secret.deleted', outcome: 'success', target: s.id, message: `Secret ${s.name} deleted from key vault ${o.vaultName}.` });
      });
    }),
  );
}
