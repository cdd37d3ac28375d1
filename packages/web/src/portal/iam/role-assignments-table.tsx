import { Badge, Button } from '@fluentui/react-components';
import { Delete20Regular } from '@fluentui/react-icons';
import { useMemo } from 'react';
import type { RoleAssignment, Subscription } from '../../../../protocol/src/api-types.js';
import { principalTypeLabel, scopeLabel } from '../../access/scopes.js';
import { ResourceTable, type Column } from '../resource-table.js';

export interface RoleAssignmentsTableProps {
  items: readonly RoleAssignment[];
  subscription?: Subscription | undefined;
  /** ID of the assignment being removed (its button is disabled meanwhile). */
  removing: string | undefined;
  remove(assignment: RoleAssignment): void;
  /** The viewer may not change role assignments: remove buttons are disabled, described by this element. */
  readOnlyReasonId?: string | undefined;
}

/** Accessible name of a row's remove button: "Remove alice Reader". */
export const removeLabel = (a: Pick<RoleAssignment, 'principalName' | 'roleDefinitionName'>): string => `Remove ${a.principalName} ${a.roleDefinitionName}`;

/**
 * The "Role assignments" table: Name, Type, Role, Scope, Inherited, and a remove button for assignments
 * made at this scope (inherited ones are removed where they were made).
 */
export function RoleAssignmentsTable({ items, subscription, removing, remove, readOnlyReasonId }: RoleAssignmentsTableProps) {
  const columns = useMemo<Column<RoleAssignment>[]>(
    () => [
      { key: 'name', label: 'Name', render: (a) => a.principalName, sortValue: (a) => a.principalName },
      { key: 'type', label: 'Type', render: (a) => principalTypeLabel(a.principalType), sortValue: (a) => a.principalType, width: '90px' },
      { key: 'role', label: 'Role', render: (a) => a.roleDefinitionName, sortValue: (a) => a.roleDefinitionName },
      {
        key: 'scope',
        label: 'Scope',
        render: (a) => <span title={a.scope}>{scopeLabel(a.scope, subscription)}</span>,
        sortValue: (a) => a.scope,
      },
      {
        key: 'inherited',
        label: 'Inherited',
        render: (a) =>
          a.inherited ? (
            <Badge appearance="tint" color="informative">
              Inherited
            </Badge>
          ) : (
            'Direct'
          ),
        sortValue: (a) => (a.inherited ? 1 : 0),
        width: '130px',
      },
      {
        key: 'actions',
        label: 'Actions',
        width: '90px',
        render: (a) =>
          a.inherited ? null : (
            <Button appearance="subtle" icon={<Delete20Regular />} aria-label={removeLabel(a)} disabled={removing === a.id} disabledFocusable={readOnlyReasonId !== undefined} aria-describedby={readOnlyReasonId} onClick={() => remove(a)} />
          ),
      },
    ],
    [subscription, removing, remove, readOnlyReasonId],
  );
  return <ResourceTable label="Role assignments" columns={columns} items={items} rowKey={(a) => a.id} initialSortKey="name" />;
}
