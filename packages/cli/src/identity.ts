import type { Command } from 'commander';
import { validationError } from '../../server/src/errors.js';
import type { UserView } from '../../server/src/identity/users.js';
import { action } from './context.js';
import type { Io } from './io.js';
import type { Columns } from './output.js';

const userColumns: Columns<UserView> = {
  Username: (u) => u.username,
  DisplayName: (u) => u.displayName,
  Admin: (u) => u.isAdmin,
  MustChangePassword: (u) => u.mustChangePassword,
  Groups: (u) => u.groups,
};
const groupColumns: Columns<{ name: string; members?: string[] }> = { Name: (g) => g.name, Members: (g) => g.members ?? [] };

interface UserCreateOptions {
  username: string;
  password?: string;
  displayName?: string;
  admin?: boolean;
  mustChangePassword?: boolean;
}

/** `bastion user …`, `bastion identity-group …`, `bastion group-member …`: the bastion's own sign-in identities. */
export function registerIdentityCommands(program: Command, io: Io): void {
  const user = program.command('user').description('Manage the users who sign in to the bastion.');

  user
    .command('create')
    .description('Create a user (the password is read from stdin when --password is not given).')
    .requiredOption('-u, --username <username>', 'user name')
    .option('-p, --password <password>', 'password (visible in the process list: prefer the prompt or stdin)')
    .option('--display-name <name>', 'display name (default: the user name)')
    .option('--admin', 'make the user an administrator')
    .option('--must-change-password', 'require a new password at the first sign-in')
    .action(
      action(io, async (ctx, o: UserCreateOptions) => {
        const password = o.password ?? (await io.readSecret(`Password for ${o.username}: `));
        if (!password) throw validationError('A password is required: pass --password or type it on stdin.');
        return ctx.users.create({ username: o.username, password, displayName: o.displayName, isAdmin: o.admin === true, mustChangePassword: o.mustChangePassword === true });
      }, userColumns),
    );

  user
    .command('list')
    .description('List users.')
    .action(action(io, (ctx) => ctx.users.list(), userColumns));

  user
    .command('show')
    .description('Show a user and their groups.')
    .requiredOption('-u, --username <username>', 'user name')
    .action(action(io, (ctx, o: { username: string }) => ctx.users.get(o.username), userColumns));

  user
    .command('delete')
    .description('Delete a user and their role assignments.')
    .requiredOption('-u, --username <username>', 'user name')
    .action(
      action(io, async (ctx, o: { username: string }) => {
        // The store removes the user's role assignments in the same transaction (and refuses the last Owner).
        await ctx.users.delete(o.username);
      }),
    );

  const group = program.command('identity-group').description('Manage user groups (not resource groups: see `bastion group`).');

  group
    .command('create')
    .description('Create a user group.')
    .requiredOption('-n, --name <name>', 'group name')
    .action(action(io, (ctx, o: { name: string }) => ctx.users.createGroup(o.name), groupColumns));

  group
    .command('list')
    .description('List user groups with their members.')
    .action(action(io, (ctx) => ctx.users.listGroups(), groupColumns));

  group
    .command('delete')
    .description('Delete a user group and its role assignments (its users are kept).')
    .requiredOption('-n, --name <name>', 'group name')
    .action(
      action(io, async (ctx, o: { name: string }) => {
        await ctx.users.deleteGroup(o.name);
      }),
    );

  const member = program.command('group-member').description('Add users to or remove them from user groups.');
  for (const [verb, add] of [['add', true], ['remove', false]] as const)
    member
      .command(verb)
      .description(add ? 'Add a user to a user group.' : 'Remove a user from a user group.')
      .requiredOption('--group <group>', 'user group name')
      .requiredOption('-u, --username <username>', 'user name')
      .action(
        action(io, async (ctx, o: { group: string; username: string }) => {
          await ctx.users.setMembership(o.group, o.username, add);
          return ctx.users.get(o.username);
        }, userColumns),
      );
}
