import { Field, Select, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { KeyVault } from '../../api/admin-api.js';
import { firstSubscription } from '../first-subscription.js';
import { ResourcePage } from '../resource-page.js';
import type { Column } from '../resource-table.js';
import { useAdminApi } from '../use-admin-api.js';
import { useAsync } from '../use-async.js';
import { usePortalSession } from '../../auth/session-context.js';
import { VaultSecretsPanel } from '../vaults/vault-secrets-panel.js';

const useStyles = makeStyles({ picker: { padding: `0 ${tokens.spacingHorizontalXXL}`, maxWidth: '420px' } });

const COLUMNS: Column<KeyVault>[] = [
  { key: 'name', label: 'Name', render: (v) => v.name, sortValue: (v) => v.name },
  { key: 'resourceGroup', label: 'Resource group', render: (v) => v.resourceGroup, sortValue: (v) => v.resourceGroup },
  { key: 'createdBy', label: 'Created by', render: (v) => v.properties.createdBy ?? '—' },
];

/** Key vaults the user may read, and the secrets of the one picked (values never shown). */
export function KeyVaultsPage() {
  const styles = useStyles();
  const { api } = usePortalSession();
  const admin = useAdminApi();
  const vaults = useAsync(async () => admin.keyVaults((await firstSubscription(api)).subscriptionId), [api, admin]);
  const [vaultId, setVaultId] = useState('');
  const list = vaults.status === 'ready' ? vaults.data : [];
  const vault = list.find((v) => v.id === vaultId) ?? list[0];

  return (
    <>
      <ResourcePage title="Key vaults" data={vaults} columns={COLUMNS} rowKey={(v) => v.id} initialSortKey="name" emptyText="No key vaults you can read (create one with “bastion keyvault create”)" />
      {list.length > 1 ? (
        <Field label="Key vault" className={styles.picker}>
          <Select value={vault?.id ?? ''} onChange={(_e, d) => setVaultId(d.value)}>
            {list.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {vault ? <VaultSecretsPanel key={vault.id} vault={vault} /> : null}
    </>
  );
}
