import { Field, Select, Spinner } from '@fluentui/react-components';
import { secretContentType } from '../api/bastion-api.js';
import { usePortalSession } from '../auth/session-context.js';
import { listInFirstSubscription } from '../portal/first-subscription.js';
import { useAsync } from '../portal/use-async.js';

export interface VaultSecretPickerProps {
  /** 'ssh-private-key' or 'password': only secrets of that kind are offered. */
  contentType: string;
  vaultId: string;
  secretId: string;
  error?: string | undefined;
  onChange(next: { vaultId: string; secretId: string }): void;
}

/**
 * Key vault and secret selects for the Connect form. Lists names only: the secret's value is read by
 * the bastion when the session starts and never reaches the browser.
 */
export function VaultSecretPicker({ contentType, vaultId, secretId, error, onChange }: VaultSecretPickerProps) {
  const { api } = usePortalSession();
  const vaults = useAsync(() => listInFirstSubscription(api, api.keyVaults), [api]);
  const secrets = useAsync(async () => (vaultId ? (await api.vaultSecrets(vaultId)).filter((s) => secretContentType(s) === contentType) : []), [api, vaultId, contentType]);

  const vaultHint =
    vaults.status === 'error' ? vaults.message : vaults.status === 'ready' && vaults.data.length === 0 ? 'There is no key vault you can read.' : undefined;
  const secretHint =
    error ??
    (secrets.status === 'error'
      ? secrets.message
      : vaultId && secrets.status === 'ready' && secrets.data.length === 0
        ? `This key vault has no ${contentType === 'password' ? 'password' : 'SSH private key'} secret you can read.`
        : undefined);

  return (
    <>
      <Field label="Key Vault" required validationMessage={vaultHint} validationState={vaults.status === 'error' ? 'error' : 'none'}>
        {vaults.status === 'loading' ? (
          <Spinner size="tiny" label="Loading key vaults…" labelPosition="after" />
        ) : (
          <Select value={vaultId} onChange={(_, d) => onChange({ vaultId: d.value, secretId: '' })}>
            <option value="">Select a key vault</option>
            {vaults.status === 'ready' &&
              vaults.data.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
          </Select>
        )}
      </Field>
      <Field label="Azure Key Vault Secret" required validationMessage={secretHint} validationState={error || secrets.status === 'error' ? 'error' : 'none'}>
        <Select value={secretId} disabled={!vaultId || secrets.status !== 'ready'} onChange={(_, d) => onChange({ vaultId, secretId: d.value })}>
          <option value="">Select a secret</option>
          {secrets.status === 'ready' &&
            secrets.data.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
        </Select>
      </Field>
    </>
  );
}
