import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, DialogTrigger, Field, Select, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { assignableAt, parsePrincipalValue, principalLabel, principalValue } from '../../access/scopes.js';
import { userMessage } from '../../api/api-error.js';
import { FormMessage } from '../../auth/form-message.js';
import { usePortalSession } from '../../auth/session-context.js';
import { useAsync } from '../use-async.js';

const useStyles = makeStyles({ content: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM } });

export const CHOOSE_ROLE_AND_MEMBER = 'Choose a role and a member.';

export interface AddRoleAssignmentDialogProps {
  scope: string;
  /** The scope as people read it, e.g. "vm-web01-nic (network interface)". */
  scopeText: string;
  close(): void;
  /** Called once the server has made the assignment. */
  saved(): void;
}

/**
 * "Add role assignment": Role (from GET /api/roleDefinitions, those assignable here) and Member (users
 * and groups from GET /api/principals, "alice (user)"); Save posts it. The server's refusals show here.
 */
export function AddRoleAssignmentDialog({ scope, scopeText, close, saved }: AddRoleAssignmentDialogProps) {
  const styles = useStyles();
  const { api } = usePortalSession();
  const choices = useAsync(async () => {
    const [roles, principals] = await Promise.all([api.roleDefinitions(), api.principals()]);
    return { roles: roles.filter((r) => assignableAt(r, scope)), principals };
  }, [api, scope]);
  const [role, setRole] = useState('');
  const [member, setMember] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const roles = choices.status === 'ready' ? choices.data.roles : [];
  const principals = choices.status === 'ready' ? choices.data.principals : [];
  const description = roles.find((r) => r.name === role)?.description;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const assignee = parsePrincipalValue(member);
    if (role === '' || !assignee) {
      setError(CHOOSE_ROLE_AND_MEMBER);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.createRoleAssignment({ assignee: assignee.name, assigneeType: assignee.type, role, scope });
      saved();
    } catch (e) {
      setError(userMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : close())}>
      <DialogSurface>
        <form onSubmit={(e) => void save(e)}>
          <DialogBody>
            <DialogTitle>Add role assignment</DialogTitle>
            <DialogContent className={styles.content}>
              <Text>
                Scope: <strong title={scope}>{scopeText}</strong>
              </Text>
              <FormMessage intent="error" text={error ?? (choices.status === 'error' ? choices.message : undefined)} />
              <Field label="Role" hint={description}>
                <Select value={role} onChange={(_, data) => setRole(data.value)} disabled={choices.status !== 'ready'}>
                  <option value="" disabled>
                    {choices.status === 'loading' ? 'Loading…' : 'Select a role'}
                  </option>
                  {roles.map((r) => (
                    <option key={r.id} value={r.name}>
                      {r.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Member">
                <Select value={member} onChange={(_, data) => setMember(data.value)} disabled={choices.status !== 'ready'}>
                  <option value="" disabled>
                    {choices.status === 'loading' ? 'Loading…' : 'Select a user or group'}
                  </option>
                  {principals.map((p) => (
                    <option key={principalValue(p)} value={principalValue(p)}>
                      {principalLabel(p)}
                    </option>
                  ))}
                </Select>
              </Field>
            </DialogContent>
            <DialogActions>
              <Button type="submit" appearance="primary" disabled={busy || choices.status !== 'ready'}>
                Save
              </Button>
              <DialogTrigger disableButtonEnhancement>
                <Button type="button" appearance="secondary">
                  Cancel
                </Button>
              </DialogTrigger>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
