import { Button, MessageBar, MessageBarBody, Spinner, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, Toolbar, ToolbarButton, makeStyles, tokens } from '@fluentui/react-components';
import { Add20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { KeyVault, KeyVaultSecret } from '../../api/admin-api.js';
import { userMessage } from '../../api/api-error.js';
import { useConfirm } from '../confirm-dialog.js';
import { useAdminApi } from '../use-admin-api.js';
import { useAsync } from '../use-async.js';
import { SecretDialog } from './secret-dialog.js';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalXXL} ${tokens.spacingVerticalXL}` },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalXS },
});

const TYPE_LABEL = { password: 'Password', 'ssh-private-key': 'SSH private key' } as const;

/** The secrets of one vault: metadata only (no route returns a value), add, replace a value, delete. */
export function VaultSecretsPanel({ vault }: { vault: KeyVault }) {
  const styles = useStyles();
  const admin = useAdminApi();
  const secrets = useAsync(() => admin.secrets(vault.id), [admin, vault.id]);
  const { confirm, dialog } = useConfirm();
  const [editing, setEditing] = useState<{ replacing?: KeyVaultSecret } | undefined>();
  const [outcome, setOutcome] = useState<{ intent: 'success' | 'error'; text: string } | undefined>();

  const remove = async (s: KeyVaultSecret): Promise<void> => {
    if (!(await confirm({ title: 'Delete secret', message: `Delete ${s.name} from ${vault.name}? Connections that use it stop working. This cannot be undone.`, confirmLabel: 'Delete' }))) return;
    try {
      await admin.deleteSecret(s.id);
      setOutcome({ intent: 'success', text: `Secret ${s.name} deleted.` });
    } catch (e) {
      setOutcome({ intent: 'error', text: userMessage(e) });
    }
    secrets.reload();
  };

  return (
    <section className={styles.panel} aria-labelledby="secrets-title">
      {dialog}
      <Subtitle1 as="h2" id="secrets-title">
        Secrets in {vault.name}
      </Subtitle1>
      <Toolbar aria-label="Secret commands">
        <ToolbarButton icon={<Add20Regular />} onClick={() => setEditing({})}>
          Add secret
        </ToolbarButton>
      </Toolbar>
      {outcome ? (
        <MessageBar intent={outcome.intent} role={outcome.intent === 'error' ? 'alert' : 'status'}>
          <MessageBarBody>{outcome.text}</MessageBarBody>
        </MessageBar>
      ) : null}
      {secrets.status === 'loading' ? <Spinner size="small" label="Loading…" labelPosition="after" /> : null}
      {secrets.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{secrets.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {secrets.status === 'ready' && secrets.data.length === 0 ? <Text>No secrets in this vault.</Text> : null}
      {secrets.status === 'ready' && secrets.data.length > 0 ? (
        <Table aria-label="Secrets" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Content type</TableHeaderCell>
              <TableHeaderCell>Value</TableHeaderCell>
              <TableHeaderCell>Updated</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {secrets.data.map((s) => (
              <TableRow key={s.id}>
                <TableCell>{s.name}</TableCell>
                <TableCell>
                  {TYPE_LABEL[s.properties.contentType] ?? s.properties.contentType}
                  {s.properties.hasPassphrase ? ' (with passphrase)' : ''}
                </TableCell>
                <TableCell>{s.properties.keyMatches ? 'Hidden (never shown)' : 'Unreadable: set it again (master key changed)'}</TableCell>
                <TableCell>
                  {new Date(s.properties.attributes.updated).toLocaleString()}
                  {s.properties.updatedBy ? ` by ${s.properties.updatedBy}` : ''}
                </TableCell>
                <TableCell>
                  <span className={styles.actions}>
                    <Button size="small" aria-label={`Replace the value of ${s.name}`} onClick={() => setEditing({ replacing: s })}>
                      Replace value
                    </Button>
                    <Button size="small" aria-label={`Delete ${s.name}`} onClick={() => void remove(s)}>
                      Delete
                    </Button>
                  </span>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {editing ? (
        <SecretDialog
          vaultId={vault.id}
          replacing={editing.replacing && { name: editing.replacing.name, contentType: editing.replacing.properties.contentType }}
          close={() => setEditing(undefined)}
          saved={(name) => {
            setOutcome({ intent: 'success', text: editing.replacing ? `Value of ${name} replaced.` : `Secret ${name} added.` });
            setEditing(undefined);
            secrets.reload();
          }}
        />
      ) : null}
    </section>
  );
}
