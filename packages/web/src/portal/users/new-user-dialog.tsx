import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { User } from '../../../../protocol/src/api-types.js';
import { userMessage } from '../../api/api-error.js';
import { FormMessage } from '../../auth/form-message.js';
import { useAdminApi } from '../use-admin-api.js';

const useStyles = makeStyles({ form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM } });

/** "New user": a local account with the password the administrator gives them (the server checks its policy). */
export function NewUserDialog({ close, created }: { close(): void; created(user: User): void }) {
  const styles = useStyles();
  const admin = useAdminApi();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      created(await admin.createUser({ username, password, ...(displayName ? { displayName } : {}) }));
    } catch (e) {
      setError(userMessage(e));
      setBusy(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_e, d) => !d.open && close()}>
      <DialogSurface>
        <form onSubmit={(e) => void submit(e)}>
          <DialogBody>
            <DialogTitle>New user</DialogTitle>
            <DialogContent className={styles.form}>
              <FormMessage intent="error" text={error} />
              <Field label="Username" required>
                <Input value={username} onChange={(_e, d) => setUsername(d.value)} autoComplete="off" />
              </Field>
              <Field label="Display name">
                <Input value={displayName} onChange={(_e, d) => setDisplayName(d.value)} autoComplete="off" />
              </Field>
              <Field label="Initial password" required hint="Give it to the user; use Reset password for a one-time password instead.">
                <Input type="password" value={password} onChange={(_e, d) => setPassword(d.value)} autoComplete="new-password" />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button type="submit" appearance="primary" disabled={busy || !username || !password}>
                Create
              </Button>
              <Button onClick={close}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
