import { Button, Field, MessageBar, MessageBarActions, MessageBarBody, Select, Spinner, Text, Toolbar, ToolbarButton, useRestoreFocusTarget } from '@fluentui/react-components';
import { ArrowClockwise20Regular, PersonAdd20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { RoleAssignment, ScopePermissions, Subscription } from '../../../../protocol/src/api-types.js';
import { scopeLabel, type ScopeOption } from '../../access/scopes.js';
import { userMessage } from '../../api/api-error.js';
import { FormMessage } from '../../auth/form-message.js';
import { usePortalSession } from '../../auth/session-context.js';
import { usePageStyles } from '../page-styles.js';
import { useAsync } from '../use-async.js';
import { useConfirm } from '../confirm-dialog.js';
import { AddRoleAssignmentDialog } from './add-role-assignment-dialog.js';
import { RoleAssignmentsTable } from './role-assignments-table.js';

export interface AccessControlPanelProps {
  scope: string;
  /** What the Scope picker offers; the current scope is added when missing. */
  scopeOptions: readonly ScopeOption[];
  onScopeChange(scope: string): void;
  /** For the subscription's display name in labels. */
  subscription?: Subscription | undefined;
}

/**
 * Access control (IAM) for one scope: Scope picker, command bar (Add role assignment, Refresh) and the
 * "Role assignments" table, inherited ones included. The server decides who may change what; its
 * refusals are shown as they come.
 */
export function AccessControlPanel({ scope, scopeOptions, onScopeChange, subscription }: AccessControlPanelProps) {
  const styles = usePageStyles();
  const { api, user } = usePortalSession();
  // Writing role assignments needs Owner or User Access Administrator at (or above) this scope: without
  // it the button is shown disabled with the reason, instead of opening a form the server then refuses.
  // The server answers per scope; while it answers the button waits disabled (no reason yet), and a
  // server without the route falls back to the global flag.
  const allowed = useAsync(() => api.client.get<ScopePermissions>(`/api/auth/permissions?scope=${encodeURIComponent(scope)}`), [api, scope]);
  const canAdd = allowed.status === 'ready' ? allowed.data.manageAccess : allowed.status === 'error' && (user.permissions?.manageAccess ?? user.isAdmin);
  const showReason = !canAdd && allowed.status !== 'loading';
  // The dialog is opened by state, not a DialogTrigger: this marks the button focus returns to on close.
  const restoreFocus = useRestoreFocusTarget();
  const assignments = useAsync(() => api.roleAssignments(scope), [api, scope]);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();
  const options = scopeOptions.some((o) => o.value === scope) ? scopeOptions : [{ value: scope, label: scopeLabel(scope, subscription) }, ...scopeOptions];

  const { confirm, dialog } = useConfirm();

  const remove = async (assignment: RoleAssignment) => {
    const what = `${assignment.roleDefinitionName} for ${assignment.principalName} at ${scopeLabel(assignment.scope, subscription)}`;
    if (!(await confirm({ title: 'Remove role assignment', message: `Remove ${what}? They lose what this role allows at once.`, confirmLabel: 'Remove' }))) return;
    setRemoving(assignment.id);
    setActionError(undefined);
    try {
      await api.deleteRoleAssignment(assignment.id);
      assignments.reload();
    } catch (error) {
      setActionError(userMessage(error));
    } finally {
      setRemoving(undefined);
    }
  };

  const changeScope = (next: string) => {
    setActionError(undefined);
    onScopeChange(next);
  };

  return (
    <div className={styles.panel}>
      <Field label="Scope" className={styles.narrowField}>
        <Select value={scope} onChange={(_, data) => changeScope(data.value)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      </Field>
      <Toolbar className={styles.toolbar} aria-label="Commands">
        <ToolbarButton icon={<PersonAdd20Regular />} onClick={() => setAdding(true)} {...restoreFocus} disabledFocusable={!canAdd} aria-describedby={showReason ? 'iam-add-reason' : undefined}>
          Add role assignment
        </ToolbarButton>
        <ToolbarButton icon={<ArrowClockwise20Regular />} onClick={assignments.reload} disabled={assignments.status === 'loading'}>
          Refresh
        </ToolbarButton>
      </Toolbar>
      {showReason ? (
        <Text id="iam-add-reason" as="p">
          You can see the role assignments here. Adding or removing one needs the Owner or User Access Administrator role at this scope or above; ask an administrator.
        </Text>
      ) : null}
      <FormMessage intent="error" text={actionError} />
      {assignments.status === 'loading' ? <Spinner label="Loading…" labelPosition="after" size="small" /> : null}
      {assignments.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{assignments.message}</MessageBarBody>
          <MessageBarActions>
            <Button onClick={assignments.reload}>Retry</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {assignments.status === 'ready' && assignments.data.length === 0 ? <Text className={styles.empty}>No role assignments at this scope</Text> : null}
      {assignments.status === 'ready' && assignments.data.length > 0 ? (
        <RoleAssignmentsTable items={assignments.data} subscription={subscription} removing={removing} remove={(a) => void remove(a)} readOnlyReasonId={showReason ? 'iam-add-reason' : undefined} />
      ) : null}
      {dialog}
      {adding ? (
        <AddRoleAssignmentDialog
          scope={scope}
          scopeText={scopeLabel(scope, subscription)}
          close={() => setAdding(false)}
          saved={() => {
            setAdding(false);
            assignments.reload();
          }}
        />
      ) : null}
    </div>
  );
}
