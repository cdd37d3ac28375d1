import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input, Label, Select, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useId, useState, type ChangeEvent, type FormEvent } from 'react';
import type { SecretContentType } from '../../api/admin-api.js';
import { userMessage } from '../../api/api-error.js';
import { FormMessage } from '../../auth/form-message.js';
import { useAdminApi } from '../use-admin-api.js';

const useStyles = makeStyles({ form: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM }, key: { fontFamily: tokens.fontFamilyMonospace } });

export interface SecretDialogProps {
  vaultId: string;
  /** Set to replace this secret's value (its name and type are kept); unset to add a secret. */
  replacing?: { name: string; contentType: SecretContentType } | undefined;
  close(): void;
  saved(name: string): void;
}

/**
 * Add a secret or replace its value: a password, or an SSH private key pasted or read from a file (read
 * in the browser, sent once over the PUT; the server never answers it back, so the form starts empty).
 */
export function SecretDialog({ vaultId, replacing, close, saved }: SecretDialogProps) {
  const styles = useStyles();
  const admin = useAdminApi();
  const [name, setName] = useState(replacing?.name ?? '');
  const [contentType, setContentType] = useState<SecretContentType>(replacing?.contentType ?? 'password');
  const [value, setValue] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const fileId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const readKeyFile = (event: ChangeEvent<HTMLInputElement>): void => {
    const file = event.target.files?.[0];
    if (!file) return;
    file.text().then(setValue, (e: unknown) => setError(`Could not read ${file.name}: ${String(e)}`));
  };
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await admin.setSecret(vaultId, name.trim(), { contentType, value, ...(contentType === 'ssh-private-key' && passphrase ? { passphrase } : {}) });
      saved(name.trim());
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
            <DialogTitle>{replacing ? `Replace the value of ${replacing.name}` : 'Add secret'}</DialogTitle>
            <DialogContent className={styles.form}>
              <FormMessage intent="error" text={error} />
              {replacing ? null : (
                <>
                  <Field label="Name" required hint="1–127 letters, digits and -">
                    <Input value={name} onChange={(_e, d) => setName(d.value)} autoComplete="off" />
                  </Field>
                  <Field label="Content type">
                    <Select value={contentType} onChange={(_e, d) => setContentType(d.value as SecretContentType)}>
                      <option value="password">Password</option>
                      <option value="ssh-private-key">SSH private key</option>
                    </Select>
                  </Field>
                </>
              )}
              {contentType === 'password' ? (
                <Field label="Secret value" required>
                  <Input type="password" value={value} onChange={(_e, d) => setValue(d.value)} autoComplete="new-password" />
                </Field>
              ) : (
                <>
                  <div>
                    <Label htmlFor={fileId}>SSH private key file</Label> <input id={fileId} type="file" onChange={readKeyFile} />
                  </div>
                  <Field label="SSH private key" required hint="OpenSSH or PEM; read from the file above or pasted here.">
                    <Textarea className={styles.key} value={value} onChange={(_e, d) => setValue(d.value)} rows={4} />
                  </Field>
                  <Field label="Passphrase (if the key has one)">
                    <Input type="password" value={passphrase} onChange={(_e, d) => setPassphrase(d.value)} autoComplete="off" />
                  </Field>
                </>
              )}
            </DialogContent>
            <DialogActions>
              <Button type="submit" appearance="primary" disabled={busy || !name.trim() || !value}>
                Save
              </Button>
              <Button onClick={close}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
