import { Button, Field, Input, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { isApiError, userMessage } from '../api/api-error.js';
import { AuthCard } from './auth-card.js';
import { FormMessage } from './form-message.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
});

export interface SignInPageProps {
  /** Why the page is shown ("You have signed out."), if there is something to say. */
  notice?: string | undefined;
  signIn(username: string, password: string): Promise<void>;
}

/** Username and password form; shows the server's message for a wrong password or the rate limit. */
export function SignInPage({ notice, signIn }: SignInPageProps) {
  const styles = useStyles();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; rateLimited: boolean } | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(username.trim(), password);
    } catch (e) {
      setError({ text: userMessage(e), rateLimited: isApiError(e) && e.status === 429 });
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in">
      <form className={styles.form} onSubmit={(e) => void submit(e)} aria-label="Sign in">
        {error ? <FormMessage intent={error.rateLimited ? 'warning' : 'error'} text={error.text} /> : <FormMessage intent="info" text={notice} />}
        <Field label="Username">
          <Input required name="username" autoComplete="username" autoFocus value={username} onChange={(_, d) => setUsername(d.value)} />
        </Field>
        <Field label="Password">
          <Input required name="password" type="password" autoComplete="current-password" value={password} onChange={(_, d) => setPassword(d.value)} />
        </Field>
        <Button type="submit" appearance="primary" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined}>
          Sign in
        </Button>
      </form>
    </AuthCard>
  );
}
