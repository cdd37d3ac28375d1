import { Button, Field, Input, MessageBar, MessageBarActions, MessageBarBody, Select, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useState } from 'react';
import type { BastionHost, ShareableLink, VirtualMachine } from '../../../../protocol/src/api-types.js';
import { isApiError, userMessage } from '../../api/api-error.js';
import { resourcePath } from '../../api/bastion-api.js';
import { usePortalSession } from '../../auth/session-context.js';
import { nameFromId } from '../../format/resource-format.js';
import { listInFirstSubscription } from '../first-subscription.js';
import { useConfirm } from '../confirm-dialog.js';
import { timeText } from '../../format/date-format.js';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalXXL} ${tokens.spacingVerticalXL}` },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalM, alignItems: 'flex-end', flexWrap: 'wrap' },
  url: { fontFamily: tokens.fontFamilyMonospace, width: '100%', marginTop: tokens.spacingVerticalXS },
});

/**
 * Shareable links of one bastion (design 0007): create one for a VM (the URL is shown once: only a hash is
 * kept), list and delete. Each button needs its own action on the bastion; the server says which is missing.
 */
export function ShareableLinksPanel({ bastions }: { bastions: BastionHost[] }) {
  const styles = useStyles();
  const { api } = usePortalSession();
  const [bastionId, setBastionId] = useState(bastions[0]?.id ?? '');
  const [vms, setVms] = useState<VirtualMachine[]>([]);
  const [vmId, setVmId] = useState('');
  const [expires, setExpires] = useState('');
  const [links, setLinks] = useState<ShareableLink[]>([]);
  const [created, setCreated] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  /** Without getShareableLinks on the bastion the panel is not shown (most users only connect). */
  const [hidden, setHidden] = useState(false);
  const bastion = bastions.find((b) => b.id === bastionId);
  const enabled = bastion?.properties.enableShareableLink === true;
  const action = useCallback((verb: string, body: unknown) => api.client.post<{ value: ShareableLink[] }>(`${resourcePath(bastionId)}/${verb}ShareableLinks`, body), [api, bastionId]);

  const reload = useCallback(() => {
    setError(undefined);
    if (!bastionId) return;
    action('get', {}).then(
      (r) => {
        setHidden(false);
        setLinks(r.value);
      },
      (e: unknown) => (isApiError(e) && e.status === 403 ? setHidden(true) : setError(userMessage(e))),
    );
  }, [action, bastionId]);
  useEffect(reload, [reload]);
  useEffect(() => {
    listInFirstSubscription(api, api.virtualMachines).then(
      (list) => {
        setVms(list);
        setVmId((v) => v || list[0]?.id || '');
      },
      () => setVms([]),
    );
  }, [api]);

  const create = async (): Promise<void> => {
    setError(undefined);
    setCreated(undefined);
    try {
      const r = await action('create', { vms: [{ vm: { id: vmId } }], ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}) });
      setCreated(r.value[0]?.bsl ?? undefined);
      reload();
    } catch (e) {
      setError(userMessage(e));
    }
  };
  const { confirm, dialog } = useConfirm();
  const remove = async (link: ShareableLink): Promise<void> => {
    if (!(await confirm({ title: 'Delete shareable link', message: `Delete the link to ${nameFromId(link.vm.id)}? Anyone holding it can no longer connect.`, confirmLabel: 'Delete' }))) return;
    const id = link.id;
    setError(undefined);
    try {
      await action('delete', { ids: [id] });
      reload();
    } catch (e) {
      setError(userMessage(e));
    }
  };

  if (hidden && bastions.length === 1) return null;
  return (
    <section className={styles.panel} aria-labelledby="links-title">
      {dialog}
      <Subtitle1 as="h2" id="links-title">
        Shareable links
      </Subtitle1>
      <div className={styles.row}>
        <Field label="Bastion">
          <Select value={bastionId} onChange={(_e, d) => setBastionId(d.value)}>
            {bastions.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Virtual machine">
          <Select value={vmId} onChange={(_e, d) => setVmId(d.value)} disabled={!enabled}>
            {vms.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Expires (optional)">
          <Input type="datetime-local" value={expires} onChange={(_e, d) => setExpires(d.value)} disabled={!enabled} />
        </Field>
        <Button appearance="primary" onClick={() => void create()} disabled={!enabled || !vmId}>
          Create link
        </Button>
      </div>
      {!enabled ? <Text>Shareable links are turned off on this bastion (setting enableShareableLink).</Text> : null}
      {created ? (
        <MessageBar intent="success">
          <MessageBarBody>
            Copy the link now: it is shown only once.
            <Input className={styles.url} readOnly value={created} aria-label="New link URL" onFocus={(e) => e.target.select()} />
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void navigator.clipboard.writeText(created).catch(() => undefined)}>Copy</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {error ? (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{error}</MessageBarBody>
        </MessageBar>
      ) : null}
      {links.length > 0 ? (
        <Table aria-label="Shareable links" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Virtual machine</TableHeaderCell>
              <TableHeaderCell>Created by</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
              <TableHeaderCell>Expires</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {links.map((l) => (
              <TableRow key={l.id}>
                <TableCell>{nameFromId(l.vm.id)}</TableCell>
                <TableCell>{l.createdBy}</TableCell>
                <TableCell>{timeText(l.createdAt)}</TableCell>
                <TableCell>{l.expiresAt ? timeText(l.expiresAt) : 'Never'}</TableCell>
                <TableCell>
                  <Button size="small" onClick={() => void remove(l)} aria-label={`Delete link to ${nameFromId(l.vm.id)}`}>
                    Delete
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : enabled ? (
        <Text>No links.</Text>
      ) : null}
    </section>
  );
}
