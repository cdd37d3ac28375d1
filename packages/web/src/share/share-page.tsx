import { Button, Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { AuthCard } from '../auth/auth-card.js';
import { initialConnectForm, privateKeyFileProblem, validateConnectForm, type ConnectFormState } from '../connect/connect-form-model.js';
import type { ShareAuth } from './share-api.js';
import { getSharedVm, shareSshTicket, ShareError, type SharedVm } from './share-api.js';
import { TerminalView } from '../terminal/terminal-view.js';
import { timeText } from '../format/date-format.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  session: { height: '100vh', display: 'flex', flexDirection: 'column' },
});

type Load = { status: 'loading' } | { status: 'ready'; shared: SharedVm } | { status: 'invalid'; message: string };

/**
 * `/share/<secret>`: the Connect form for the link's VM only (SSH: username and password or private key
 * file), then the terminal. No portal account and no navigation: a revoked or expired link shows one
 * clear sentence instead.
 */
export function SharePage({ secret }: { secret: string }) {
  const styles = useStyles();
  const [load, setLoad] = useState<Load>({ status: 'loading' });
  const [form, setForm] = useState<ConnectFormState>(() => ({ ...initialConnectForm('linux'), openInNewTab: false }));
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [session, setSession] = useState<{ url: string; username: string; clipboard: boolean } | undefined>();

  useEffect(() => {
    getSharedVm(secret).then(
      (shared) => setLoad({ status: 'ready', shared }),
      (err: unknown) => setLoad({ status: 'invalid', message: err instanceof Error ? err.message : String(err) }),
    );
  }, [secret]);

  const connect = useCallback(
    async (state: ConnectFormState) => {
      if (load.status !== 'ready') return;
      const checked = validateConnectForm(state, { id: secret, name: load.shared.vm.name });
      if (!checked.ok) return setErrors(checked.errors);
      setErrors({});
      const request = checked.request;
      if (request.protocol !== 'ssh' || request.auth.type === 'vaultSecret') return;
      setBusy(true);
      setFailure(undefined);
      try {
        const answer = await shareSshTicket(secret, { username: request.username, port: request.port, auth: request.auth as ShareAuth });
        setSession({ url: answer.url, username: request.username, clipboard: answer.clipboard !== false });
      } catch (err) {
        if (err instanceof ShareError && err.gone) setLoad({ status: 'invalid', message: err.message });
        else setFailure(err instanceof Error ? err.message : String(err));
      } finally {
        setBusy(false);
      }
    },
    [load, secret],
  );

  if (load.status === 'loading') return <AuthCard title="Shared connection"><Spinner label="Opening the link…" /></AuthCard>;
  if (load.status === 'invalid')
    return (
      <AuthCard title="Link not available">
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{load.message}</MessageBarBody>
        </MessageBar>
      </AuthCard>
    );
  if (session)
    return (
      <div className={styles.session}>
        <TerminalView url={session.url} vmName={load.shared.vm.name} username={session.username} clipboardEnabled={session.clipboard} onReconnect={() => void connect(form)} />
      </div>
    );

  const set = (patch: Partial<ConnectFormState>): void => setForm((f) => ({ ...f, ...patch }));
  const onKeyFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    const text = await file.text();
    const problem = privateKeyFileProblem(text, file.size);
    setErrors((e) => ({ ...e, privateKey: problem }));
    set({ privateKey: problem ? '' : text, privateKeyFileName: file.name });
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void connect(form);
  };
  return (
    <AuthCard title={`Connect to ${load.shared.vm.name}`} intro={`A shared link through bastion ${load.shared.bastion.name}${load.shared.expiresAt ? `, valid until ${timeText(load.shared.expiresAt)}` : ''}. Sign in with an account on the VM.`}>
      <form className={styles.form} onSubmit={submit} aria-label="Connect">
        {failure ? (
          <MessageBar intent="error" role="alert">
            <MessageBarBody>{failure}</MessageBarBody>
          </MessageBar>
        ) : null}
        <Field label="Username" required validationMessage={errors.username}>
          <Input value={form.username} onChange={(_e, d) => set({ username: d.value })} autoComplete="username" />
        </Field>
        <Field label="Port" validationMessage={errors.port}>
          <Input value={form.port} onChange={(_e, d) => set({ port: d.value })} inputMode="numeric" />
        </Field>
        <Field label="Authentication type">
          <RadioGroup value={form.authType} onChange={(_e, d) => set({ authType: d.value as ConnectFormState['authType'] })} layout="horizontal">
            <Radio value="password" label="Password" />
            <Radio value="privateKeyFile" label="SSH private key file" />
          </RadioGroup>
        </Field>
        {form.authType === 'password' ? (
          <Field label="Password" required validationMessage={errors.password}>
            <Input type="password" value={form.password} onChange={(_e, d) => set({ password: d.value })} autoComplete="current-password" />
          </Field>
        ) : (
          <>
            <Field label="Private key file" required validationMessage={errors.privateKey} hint={form.privateKeyFileName || undefined}>
              <input type="file" aria-label="Private key file" onChange={(e) => void onKeyFile(e.target.files?.[0])} />
            </Field>
            <Field label="Passphrase (if the key has one)">
              <Input type="password" value={form.passphrase} onChange={(_e, d) => set({ passphrase: d.value })} />
            </Field>
          </>
        )}
        <Button appearance="primary" type="submit" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </Button>
      </form>
    </AuthCard>
  );
}
