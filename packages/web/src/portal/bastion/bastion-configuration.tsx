import { Button, Field, Input, Select, Subtitle1, Switch, Text, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import type { BastionHost, BastionHostProperties } from '../../../../protocol/src/api-types.js';
import { userMessage } from '../../api/api-error.js';
import { FormMessage } from '../../auth/form-message.js';
import { useAdminApi } from '../use-admin-api.js';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: `0 ${tokens.spacingHorizontalXXL} ${tokens.spacingVerticalXL}`, maxWidth: '720px' },
  group: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, paddingBottom: tokens.spacingVerticalS, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  limits: { display: 'flex', columnGap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  note: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', columnGap: tokens.spacingHorizontalS },
});

/** The form's state: the stored properties, with minutes and ranges as the user types them. */
interface Draft {
  copyPaste: boolean;
  shareableLink: boolean;
  ipConnect: boolean;
  ranges: string;
  idle: string;
  maxSession: string;
  tunneling: boolean;
  recording: boolean;
}

const draftOf = (p: BastionHostProperties): Draft => ({
  copyPaste: p.disableCopyPaste !== true,
  shareableLink: p.enableShareableLink === true,
  ipConnect: p.enableIpConnect === true,
  ranges: (p.onPremisesRanges ?? []).join('\n'),
  idle: String(p.idleTimeoutMinutes ?? 20),
  maxSession: String(p.maxSessionMinutes ?? 0),
  // Absent: on (the server's defaults for bastions stored before these settings existed).
  tunneling: p.enableTunneling !== false,
  recording: p.enableSessionRecording !== false,
});

/** Minutes from a field; an empty or non-numeric entry is left to the server, which names the field. */
const minutes = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

/**
 * A bastion's Configuration (Azure's blade): the switches and limits of its ARM properties, saved with
 * one PUT (audited `resource.written` by the server). The recording switch can only exempt this bastion's
 * sessions: whether anything is recorded at all is the installation's `recordings`, which the note says.
 */
export function BastionConfigurationPanel({ bastions, saved }: { bastions: BastionHost[]; saved(): void }) {
  const styles = useStyles();
  const admin = useAdminApi();
  const [bastionId, setBastionId] = useState(bastions[0]?.id ?? '');
  const bastion = bastions.find((b) => b.id === bastionId) ?? bastions[0];
  const [draft, setDraft] = useState<Draft | undefined>(bastion && draftOf(bastion.properties));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ intent: 'success' | 'error'; text: string } | undefined>();

  useEffect(() => {
    if (bastion) setDraft(draftOf(bastion.properties));
  }, [bastion]);
  if (!bastion || !draft) return null;
  const set = (patch: Partial<Draft>): void => {
    setMessage(undefined);
    setDraft({ ...draft, ...patch });
  };

  const save = async (): Promise<void> => {
    setBusy(true);
    setMessage(undefined);
    const properties: BastionHostProperties = {
      ...bastion.properties,
      disableCopyPaste: !draft.copyPaste,
      enableShareableLink: draft.shareableLink,
      enableIpConnect: draft.ipConnect,
      onPremisesRanges: draft.ranges.split(/[\s,]+/).filter((r) => r !== ''),
      idleTimeoutMinutes: minutes(draft.idle),
      maxSessionMinutes: minutes(draft.maxSession),
      enableTunneling: draft.tunneling,
      enableSessionRecording: draft.recording,
    };
    try {
      await admin.putBastionHost(bastion, properties);
      setMessage({ intent: 'success', text: `Configuration of ${bastion.name} saved.` });
      saved();
    } catch (e) {
      setMessage({ intent: 'error', text: userMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className={styles.panel} aria-labelledby="configuration-title">
      <Subtitle1 as="h2" id="configuration-title">
        Configuration
      </Subtitle1>
      {bastions.length > 1 ? (
        <Field label="Bastion to configure">
          <Select value={bastion.id} onChange={(_e, d) => setBastionId(d.value)}>
            {bastions.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      <div className={styles.group}>
        <Switch label="Copy and paste" checked={draft.copyPaste} onChange={(_e, d) => set({ copyPaste: d.checked })} />
        <Text className={styles.note}>Off: the browser SSH and RDP clients of this bastion have no clipboard.</Text>
        <Switch label="Shareable link" checked={draft.shareableLink} onChange={(_e, d) => set({ shareableLink: d.checked })} />
        <Switch label="IP-based connection" checked={draft.ipConnect} onChange={(_e, d) => set({ ipConnect: d.checked })} />
        <Field label="On-premises address ranges (one CIDR a line)" hint="Reachable through this bastion's network; at most /8 wide, no reserved ranges.">
          <Textarea value={draft.ranges} onChange={(_e, d) => set({ ranges: d.value })} disabled={!draft.ipConnect} resize="vertical" />
        </Field>
      </div>
      <div className={styles.limits}>
        <Field label="Idle timeout (minutes)" hint="0 = never">
          <Input type="number" min={0} value={draft.idle} onChange={(_e, d) => set({ idle: d.value })} />
        </Field>
        <Field label="Maximum session length (minutes)" hint="0 = no limit">
          <Input type="number" min={0} value={draft.maxSession} onChange={(_e, d) => set({ maxSession: d.value })} />
        </Field>
      </div>
      <div className={styles.group}>
        <Switch label="Native client support" checked={draft.tunneling} onChange={(_e, d) => set({ tunneling: d.checked })} />
        <Text className={styles.note}>The CLI’s “bastion tunnel”, “bastion ssh” and “bastion rdp” through this bastion; off: refused.</Text>
        <Switch label="Session recording" checked={draft.recording} onChange={(_e, d) => set({ recording: d.checked })} />
        <Text className={styles.note}>On: this bastion’s SSH and RDP sessions are recorded as the installation’s “recordings” (bastion.yaml) say; off: never recorded.</Text>
      </div>
      <FormMessage intent={message?.intent ?? 'info'} text={message?.text} />
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy} onClick={() => void save()}>
          Save
        </Button>
        <Button disabled={busy} onClick={() => set(draftOf(bastion.properties))}>
          Discard changes
        </Button>
      </div>
    </section>
  );
}
