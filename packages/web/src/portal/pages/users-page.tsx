import type { User } from '../../../../protocol/src/api-types.js';
import { usePortalSession } from '../../auth/session-context.js';
import { joinOrNone } from '../../format/resource-format.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { useAsync } from '../use-async.js';

const COLUMNS: Column<User>[] = [
  { key: 'username', label: 'Username', render: (u) => u.username, sortValue: (u) => u.username },
  { key: 'displayName', label: 'Display name', render: (u) => u.displayName, sortValue: (u) => u.displayName },
  { key: 'admin', label: 'Admin', render: (u) => (u.isAdmin ? 'Yes' : 'No'), sortValue: (u) => (u.isAdmin ? 0 : 1) },
  { key: 'groups', label: 'Groups', render: (u) => joinOrNone(u.groups) },
];

/** Admin only: every user account. */
export function UsersPage() {
  const { api } = usePortalSession();
  const data = useAsync(() => api.users(), [api]);
  return <ResourcePage title="Users" data={data} columns={COLUMNS} rowKey={(u) => u.id} initialSortKey="username" emptyText="No users" />;
}
