import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { userMessage } from '../api/api-error.js';
import type { BastionApi } from '../api/bastion-api.js';
import { AuthCard } from './auth-card.js';
import { FormMessage } from './form-message.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalS },
});

export const PASSWORDS_DIFFER = 'The new passwords do not match.';

export interface ChangePasswordPageProps {
  api: BastionApi;
  /** Called once the server has accepted the new password. */
  done(): Promise<void>;
  signOut(): Promise<void>;
}

/** Shown while `user.mustChangePassword` is true (the first admin's one-time password). */
export function ChangePasswordPage({ api, done, signOut }: ChangePasswordPageProps) {
  const styles = useStyles();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirmPassword, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (newPassword !== confirmPassword) {
      setError(PASSWORDS_DIFFER);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.changePassword({ currentPassword, newPassword });
      await done();
    } catch (e) {
      setError(userMessage(e));
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Set a new password" intro="Your account has a one-time password. Choose a new password to continue.">
      <form className={styles.form} onSubmit={(e) => void submit(e)} aria-label="Set a new password">
        <FormMessage intent="error" text={error} />
        <Field label="Current password">
          <Input required type="password" autoComplete="current-password" autoFocus value={currentPassword} onChange={(_, d) => setCurrent(d.value)} />
        </Field>
        <Field label="New password">
          <Input required type="password" autoComplete="new-password" value={newPassword} onChange={(_, d) => setNew(d.value)} />
        </Field>
        <Field label="Confirm new password">
          <Input required type="password" autoComplete="new-password" value={confirmPassword} onChange={(_, d) => setConfirm(d.value)} />
        </Field>
        <div className={styles.actions}>
          <Button type="submit" appearance="primary" disabled={busy}>
            Set password
          </Button>
          <Button type="button" appearance="subtle" onClick={() => void signOut()}>
            Sign out
          </Button>
        </div>
      </form>
    </AuthCard>
  );
}
