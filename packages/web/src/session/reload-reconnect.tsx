import { Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import type { ConnectRequest } from '../connect/connect-request.js';
import { BackToPortal } from './back-to-portal.js';
import { requestFrom, type ReconnectSecret, type SessionSettings } from './session-settings.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, maxWidth: '480px', marginTop: tokens.spacingVerticalL },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalS },
});

/**
 * After a reload the session is gone but its settings are known (session-settings.ts): Reconnect with
 * them, asking only for what was never stored: the password, or the key file (and its passphrase).
 */
export function ReloadReconnect({ settings, onConnect }: { settings: SessionSettings; onConnect: (request: ConnectRequest) => void }) {
  const styles = useStyles();
  const [password, setPassword] = useState('');
  const [keyFile, setKeyFile] = useState<File | undefined>();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<string | undefined>();
  const kind = settings.auth.type;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let secret: ReconnectSecret = { type: 'none' };
    if (kind === 'password') secret = { type: 'password', password };
    else if (kind === 'privateKey') {
      if (!keyFile) return setError('Choose the private key file.');
      secret = { type: 'privateKey', privateKey: await keyFile.text(), ...(passphrase ? { passphrase } : {}) };
    }
    const request = requestFrom(settings, secret);
    if (!request || (secret.type === 'password' && !secret.password)) return setError('Enter the password.');
    onConnect(request);
  };

  return (
    <div>
      <MessageBar intent="info" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>The page was reloaded, which ended the session</MessageBarTitle>
          Reconnect to {settings.vmName} as {settings.username} (port {settings.port}) with the same settings
          {kind === 'vaultSecret' ? ', using the Key Vault secret chosen before.' : '. The password or key is never kept by the page: enter it again.'}
        </MessageBarBody>
      </MessageBar>
      <form className={styles.form} onSubmit={(e) => void submit(e)}>
        {kind === 'password' && (
          <Field label="VM Password" required validationMessage={error}>
            <Input type="password" value={password} onChange={(_e, d) => setPassword(d.value)} autoFocus />
          </Field>
        )}
        {kind === 'privateKey' && (
          <>
            <Field label="Local File" required validationMessage={error}>
              <input type="file" onChange={(e) => setKeyFile(e.target.files?.[0])} />
            </Field>
            <Field label="Passphrase">
              <Input type="password" value={passphrase} onChange={(_e, d) => setPassphrase(d.value)} />
            </Field>
          </>
        )}
        <div className={styles.actions}>
          <Button appearance="primary" type="submit">
            Reconnect
          </Button>
          <BackToPortal />
        </div>
      </form>
    </div>
  );
}
