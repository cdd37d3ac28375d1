import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  Input,
  Select,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState, type FormEvent } from 'react';
import { openSessionInNewTab } from '../../connect/connect-handover.js';
import {
  AUTHENTICATION_LABELS,
  authenticationTypesFor,
  initialConnectForm,
  privateKeyFileProblem,
  validateConnectForm,
  withProtocol,
  type AuthenticationType,
  type ConnectFormState,
  type ConnectProtocol,
} from '../../connect/connect-form-model.js';
import { pendingConnections, sessionPath } from '../../connect/connect-request.js';
import { VaultSecretPicker } from '../../connect/vault-secret-picker.js';
import { nameFromId } from '../../format/resource-format.js';
import { navigate } from '../../routing/history-store.js';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalM, '& > *': { flexGrow: 1 } },
  section: { fontWeight: tokens.fontWeightSemibold },
});

export interface ConnectDialogProps {
  vm: { id: string; name: string; osType?: string | undefined };
  bastionHostId: string | null;
  close(): void;
}

type Errors = Partial<Record<'port' | 'username' | 'password' | 'privateKey' | 'secret', string>>;

/**
 * "Connect using Bastion" (Azure's Bastion blade): connection settings, username, authentication type
 * and its fields, "Open in new browser tab". Connect hands the request to a session page, which gets a
 * single-use ticket and opens the session.
 */
export function ConnectDialog({ vm, bastionHostId, close }: ConnectDialogProps) {
  const styles = useStyles();
  const [form, setForm] = useState<ConnectFormState>(() => initialConnectForm(vm.osType));
  // Fetch the session page's code (terminal, RDP client loader) while the user fills the form.
  useEffect(() => void import('../../session/session-page.js').catch(() => undefined), []);
  const [errors, setErrors] = useState<Errors>({});
  const set = (patch: Partial<ConnectFormState>) => setForm((f) => ({ ...f, ...patch }));

  const chooseKeyFile = async (file: File | undefined) => {
    if (!file) return set({ privateKey: '', privateKeyFileName: '' });
    const text = file.size <= 64 * 1024 ? await file.text() : '';
    const problem = privateKeyFileProblem(text, file.size);
    setErrors((e) => ({ ...e, privateKey: problem }));
    set(problem ? { privateKey: '', privateKeyFileName: '' } : { privateKey: text, privateKeyFileName: file.name });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validateConnectForm(form, vm);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    // A blocked pop-up falls back to this tab.
    if (form.openInNewTab && openSessionInNewTab(result.request)) return close();
    // Close first and move on once the dialog is gone: while a modal dialog is open the rest of the page is
    // hidden from assistive technology (aria-hidden), and leaving the page mid-close would keep it hidden.
    const path = sessionPath(pendingConnections.put(result.request));
    close();
    afterPageUnhidden(() => navigate(path));
  };

  const authTypes = authenticationTypesFor(form.protocol);
  const field = (key: keyof Errors) => ({ validationMessage: errors[key], validationState: errors[key] ? ('error' as const) : ('none' as const) });

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : close())}>
      <DialogSurface aria-describedby={undefined}>
        <form onSubmit={submit} noValidate>
          <DialogBody>
            <DialogTitle>Connect using Bastion</DialogTitle>
            <DialogContent className={styles.content}>
              <Text>
                Bastion host: <strong>{nameFromId(bastionHostId)}</strong>
              </Text>
              <Text className={styles.section}>Connection Settings</Text>
              <div className={styles.row}>
                <Field label="Protocol">
                  <Select value={form.protocol} onChange={(_, d) => setForm((f) => withProtocol(f, d.value as ConnectProtocol))}>
                    <option value="ssh">SSH</option>
                    <option value="rdp">RDP</option>
                  </Select>
                </Field>
                <Field label="Port" required {...field('port')}>
                  <Input inputMode="numeric" value={form.port} onChange={(_, d) => set({ port: d.value })} />
                </Field>
              </div>
              <Field label="Authentication Type">
                <Select value={form.authType} onChange={(_, d) => set({ authType: d.value as AuthenticationType, secretId: '' })}>
                  {authTypes.map((t) => (
                    <option key={t} value={t}>
                      {AUTHENTICATION_LABELS[t]}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Username" required {...field('username')}>
                <Input autoComplete="username" value={form.username} onChange={(_, d) => set({ username: d.value })} />
              </Field>
              {form.authType === 'password' && (
                <Field label="VM Password" required {...field('password')}>
                  <Input type="password" autoComplete="current-password" value={form.password} onChange={(_, d) => set({ password: d.value })} />
                </Field>
              )}
              {form.authType === 'privateKeyFile' && (
                <>
                  <Field label="Local File" required hint={form.privateKeyFileName || undefined} {...field('privateKey')}>
                    <input type="file" aria-label="Local File" onChange={(e) => void chooseKeyFile(e.currentTarget.files?.[0])} />
                  </Field>
                  <Field label="SSH Passphrase" hint="Only for an encrypted private key.">
                    <Input type="password" autoComplete="off" value={form.passphrase} onChange={(_, d) => set({ passphrase: d.value })} />
                  </Field>
                </>
              )}
              {(form.authType === 'vaultPrivateKey' || form.authType === 'vaultPassword') && (
                <VaultSecretPicker
                  contentType={form.authType === 'vaultPrivateKey' ? 'ssh-private-key' : 'password'}
                  vaultId={form.vaultId}
                  secretId={form.secretId}
                  error={errors.secret}
                  onChange={(next) => set(next)}
                />
              )}
              <Checkbox label="Open in new browser tab" checked={form.openInNewTab} onChange={(_, d) => set({ openInNewTab: d.checked === true })} />
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit">
                Connect
              </Button>
              <DialogTrigger disableButtonEnhancement>
                <Button>Cancel</Button>
              </DialogTrigger>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

/**
 * Runs `then` once the app root is no longer aria-hidden (Fluent's modal restores it shortly after the
 * dialog unmounts), checking every frame, and at the latest after half a second.
 */
function afterPageUnhidden(then: () => void): void {
  const root = document.getElementById('root');
  const deadline = performance.now() + 500;
  const check = () => (!root?.hasAttribute('aria-hidden') || performance.now() > deadline ? then() : requestAnimationFrame(check));
  requestAnimationFrame(check);
}
