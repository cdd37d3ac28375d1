import { Button, Text } from '@fluentui/react-components';
import { useState } from 'react';
import { userMessage } from '../api/api-error.js';
import { resourcePath } from '../api/bastion-api.js';
import { usePortalSession } from '../auth/session-context.js';

/** `GET <vm>/sshHostKeys`: per port, the pinned key and the different one the VM offered last, if any. */
export interface SshHostKeysAnswer {
  value: Array<{ port: number; keyType: string; fingerprint: string; offered: { fingerprint: string; keyType: string; seenAt: string } | null }>;
}

/**
 * After "host key changed": an admin (who may write the VM) can accept the key the VM now offers, once
 * they have checked it out of band; then the session connects again. Others are told to ask an admin.
 */
export function HostKeyChanged({ vmId, port, onAccepted }: { vmId: string; port: number; onAccepted(): void }) {
  const { api, user } = usePortalSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (!user.isAdmin) return <Text size={200}>Ask an administrator to check and accept the VM’s new host key.</Text>;

  const accept = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const keys = await api.client.get<SshHostKeysAnswer>(`${resourcePath(vmId)}/sshHostKeys`);
      const offered = keys.value.find((k) => k.port === port)?.offered;
      if (!offered) {
        setError('The VM has not offered a different host key since; connect again.');
        return;
      }
      await api.client.post(`${resourcePath(vmId)}/sshHostKeys/accept`, { fingerprint: offered.fingerprint, port });
      onAccepted();
    } catch (e) {
      setError(userMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {error && <Text size={200}>{error}</Text>}
      <Button size="small" disabled={busy} onClick={() => void accept()}>
        Accept new host key
      </Button>
    </>
  );
}
