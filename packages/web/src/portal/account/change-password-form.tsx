import { Button, Field, Input, Subtitle1, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { userMessage } from '../../api/api-error.js';
import { PASSWORDS_DIFFER } from '../../auth/change-password-page.js';
import { FormMessage } from '../../auth/form-message.js';
import { usePortalSession } from '../../auth/session-context.js';

const useStyles = makeStyles({ form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, maxWidth: '420px' } });

/** "Change password" from the user menu: this sign-in stays, the server ends the others. */
export function ChangePasswordForm() {
  const styles = useStyles();
  const { api } = usePortalSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ intent: 'success' | 'error'; text: string } | undefined>();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (next !== again) return setMessage({ intent: 'error', text: PASSWORDS_DIFFER });
    setBusy(true);
    setMessage(undefined);
    try {
      await api.changePassword({ currentPassword: current, newPassword: next });
      setMessage({ intent: 'success', text: 'Password changed. Your other sign-ins have ended.' });
      setCurrent('');
      setNext('');
      setAgain('');
    } catch (e) {
      setMessage({ intent: 'error', text: userMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={styles.form} onSubmit={(e) => void submit(e)} aria-labelledby="password-title">
      <Subtitle1 as="h2" id="password-title">
        Change password
      </Subtitle1>
      <FormMessage intent={message?.intent ?? 'info'} text={message?.text} />
      <Field label="Current password" required>
        <Input type="password" autoComplete="current-password" value={current} onChange={(_e, d) => setCurrent(d.value)} />
      </Field>
      <Field label="New password" required>
        <Input type="password" autoComplete="new-password" value={next} onChange={(_e, d) => setNext(d.value)} />
      </Field>
      <Field label="Confirm new password" required>
        <Input type="password" autoComplete="new-password" value={again} onChange={(_e, d) => setAgain(d.value)} />
      </Field>
      <div>
        <Button type="submit" appearance="primary" disabled={busy || !current || !next}>
          Change password
        </Button>
      </div>
    </form>
  );
}
