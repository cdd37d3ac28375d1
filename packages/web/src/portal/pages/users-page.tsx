import { Button, MessageBar, MessageBarBody, ToolbarButton, makeStyles, tokens } from '@fluentui/react-components';
import { PersonAdd20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { User } from '../../../../protocol/src/api-types.js';
import { userMessage } from '../../api/api-error.js';
import { usePortalSession } from '../../auth/session-context.js';
import { joinOrNone } from '../../format/resource-format.js';
import { useConfirm } from '../confirm-dialog.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { useAdminApi } from '../use-admin-api.js';
import { useAsync, type AsyncState } from '../use-async.js';
import { GroupsPanel } from '../users/groups-panel.js';
import { NewUserDialog } from '../users/new-user-dialog.js';
import { OneTimePasswordDialog } from '../users/one-time-password-dialog.js';

const useStyles = makeStyles({ actions: { display: 'flex', columnGap: tokens.spacingHorizontalXS, flexWrap: 'wrap' } });

type Outcome = { intent: 'success' | 'error'; text: string };

/** Admin only: users (create, reset password, disable/enable, delete) and groups with their members. */
export function UsersPage() {
  const styles = useStyles();
  const { api, user: me } = usePortalSession();
  const admin = useAdminApi();
  const data = useAsync(async () => ({ users: await api.users(), groups: await admin.groups() }), [api, admin]);
  const users: AsyncState<User[]> = data.status === 'ready' ? { status: 'ready', data: data.data.users } : data;
  const { confirm, dialog } = useConfirm();
  const [creating, setCreating] = useState(false);
  const [reset, setReset] = useState<{ username: string; password: string } | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();

  /** Every change: its outcome in the banner (the server's refusal as it words it), then a reload. */
  const run = async (change: () => Promise<unknown>, done: string): Promise<void> => {
    setOutcome(undefined);
    try {
      await change();
      setOutcome({ intent: 'success', text: done });
    } catch (e) {
      setOutcome({ intent: 'error', text: userMessage(e) });
    }
    data.reload();
  };

  const resetPassword = async (u: User): Promise<void> => {
    if (!(await confirm({ title: 'Reset password', message: `Reset the password of ${u.username}? Their current password stops working and their sign-ins end.`, confirmLabel: 'Reset password' }))) return;
    await run(async () => {
      const r = await admin.resetPassword(u.username);
      setReset({ username: u.username, password: r.oneTimePassword });
    }, `Password of ${u.username} reset.`);
  };
  const toggle = async (u: User): Promise<void> => {
    if (u.disabled) return run(() => admin.setUserDisabled(u.username, false), `${u.username} enabled.`);
    if (await confirm({ title: 'Disable user', message: `Disable ${u.username}? They cannot sign in, and their sign-ins end at once.`, confirmLabel: 'Disable' }))
      await run(() => admin.setUserDisabled(u.username, true), `${u.username} disabled.`);
  };
  const remove = async (u: User): Promise<void> => {
    if (await confirm({ title: 'Delete user', message: `Delete ${u.username} with their role assignments and group memberships? This cannot be undone.`, confirmLabel: 'Delete' }))
      await run(() => admin.deleteUser(u.username), `User ${u.username} deleted.`);
  };

  const columns: Column<User>[] = [
    { key: 'username', label: 'Username', render: (u) => u.username, sortValue: (u) => u.username },
    { key: 'displayName', label: 'Display name', render: (u) => u.displayName, sortValue: (u) => u.displayName },
    { key: 'status', label: 'Status', render: (u) => (u.disabled ? 'Disabled' : u.mustChangePassword ? 'Must set a new password' : 'Enabled'), sortValue: (u) => (u.disabled ? 1 : 0) },
    { key: 'admin', label: 'Admin', render: (u) => (u.isAdmin ? 'Yes' : 'No'), sortValue: (u) => (u.isAdmin ? 0 : 1) },
    { key: 'groups', label: 'Groups', render: (u) => joinOrNone(u.groups) },
    {
      key: 'actions',
      label: 'Actions',
      render: (u) => (
        <span className={styles.actions}>
          <Button size="small" aria-label={`Reset password of ${u.username}`} onClick={() => void resetPassword(u)}>
            Reset password
          </Button>
          <Button size="small" aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`} disabled={u.id === me.id} onClick={() => void toggle(u)}>
            {u.disabled ? 'Enable' : 'Disable'}
          </Button>
          <Button size="small" aria-label={`Delete ${u.username}`} disabled={u.id === me.id} onClick={() => void remove(u)}>
            Delete
          </Button>
        </span>
      ),
    },
  ];

  return (
    <>
      <ResourcePage
        title="Users"
        data={{ ...users, reload: data.reload }}
        columns={columns}
        rowKey={(u) => u.id}
        initialSortKey="username"
        emptyText="No users"
        commands={
          <ToolbarButton icon={<PersonAdd20Regular />} onClick={() => setCreating(true)}>
            New user
          </ToolbarButton>
        }
        banner={
          outcome && (
            <MessageBar intent={outcome.intent} role={outcome.intent === 'error' ? 'alert' : 'status'}>
              <MessageBarBody>{outcome.text}</MessageBarBody>
            </MessageBar>
          )
        }
      />
      {data.status === 'ready' ? <GroupsPanel groups={data.data.groups} users={data.data.users} run={run} /> : null}
      {dialog}
      {creating ? (
        <NewUserDialog
          close={() => setCreating(false)}
          created={(u) => {
            setCreating(false);
            setOutcome({ intent: 'success', text: `User ${u.username} created.` });
            data.reload();
          }}
        />
      ) : null}
      {reset ? <OneTimePasswordDialog username={reset.username} password={reset.password} close={() => setReset(undefined)} /> : null}
    </>
  );
}
