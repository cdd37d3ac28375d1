import { Button, MessageBar, MessageBarBody, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiToken } from '../../api/admin-api.js';
import { userMessage } from '../../api/api-error.js';
import { useConfirm } from '../confirm-dialog.js';
import { useAdminApi } from '../use-admin-api.js';
import { useAsync } from '../use-async.js';

const useStyles = makeStyles({ panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM } });
const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : 'Never');

/** The CLI tokens (`bastion login`) the signed-in user holds, never their secret, and Revoke. */
export function ApiTokensPanel() {
  const styles = useStyles();
  const admin = useAdminApi();
  const tokens_ = useAsync(() => admin.myTokens(), [admin]);
  const { confirm, dialog } = useConfirm();
  const [outcome, setOutcome] = useState<{ intent: 'success' | 'error'; text: string } | undefined>();

  const revoke = async (t: ApiToken): Promise<void> => {
    if (!(await confirm({ title: 'Revoke API token', message: `Revoke "${t.name}"? The CLI that holds it is signed out at once.`, confirmLabel: 'Revoke' }))) return;
    try {
      await admin.revokeToken(t.id);
      setOutcome({ intent: 'success', text: `Token "${t.name}" revoked.` });
    } catch (e) {
      setOutcome({ intent: 'error', text: userMessage(e) });
    }
    tokens_.reload();
  };

  return (
    <section className={styles.panel} aria-labelledby="tokens-title">
      {dialog}
      <Subtitle1 as="h2" id="tokens-title">
        API tokens
      </Subtitle1>
      <Text>Tokens the CLI received when you ran “bastion login”. Revoke one you no longer use or may have lost.</Text>
      {outcome ? (
        <MessageBar intent={outcome.intent} role={outcome.intent === 'error' ? 'alert' : 'status'}>
          <MessageBarBody>{outcome.text}</MessageBarBody>
        </MessageBar>
      ) : null}
      {tokens_.status === 'error' ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{tokens_.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {tokens_.status === 'ready' && tokens_.data.value.length === 0 ? <Text>You hold no API tokens.</Text> : null}
      {tokens_.status === 'ready' && tokens_.data.value.length > 0 ? (
        <Table aria-label="API tokens" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>From</TableHeaderCell>
              <TableHeaderCell>Last used</TableHeaderCell>
              <TableHeaderCell>Expires</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {tokens_.data.value.map((t) => (
              <TableRow key={t.id}>
                <TableCell>{t.name}</TableCell>
                <TableCell>{when(t.createdAt)}</TableCell>
                <TableCell>{t.clientIp}</TableCell>
                <TableCell>{when(t.lastUsedAt)}</TableCell>
                <TableCell>{when(t.expiresAt)}</TableCell>
                <TableCell>
                  <Button size="small" aria-label={`Revoke ${t.name}`} onClick={() => void revoke(t)}>
                    Revoke
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </section>
  );
}
