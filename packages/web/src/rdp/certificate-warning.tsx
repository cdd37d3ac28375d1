import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { isApiError } from '../api/api-error.js';
import type { CertificateChange, RdpApi } from './rdp-api.js';

const useStyles = makeStyles({
  fingerprint: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  lines: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXXS },
});

export interface CertificateWarningProps {
  vmId: string;
  vmName: string;
  change: CertificateChange;
  /** Whether to offer Accept (the server checks: VM write access). */
  mayAccept: boolean;
  api: RdpApi;
  /** After an accepted certificate: the caller offers (or starts) a new connection. */
  onAccepted: () => void;
}

/**
 * The VM's RDP certificate differs from the pinned one. The browser client does not check certificates
 * itself (the relay does), so this is the only warning the user gets: it must be loud and name who acts.
 */
export function CertificateWarning({ vmId, vmName, change, mayAccept, api, onAccepted }: CertificateWarningProps) {
  const styles = useStyles();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });

  const accept = async () => {
    setState({ busy: true });
    try {
      await api.acceptCertificate(vmId, change);
      setState({ busy: false });
      onAccepted();
    } catch (error) {
      const denied = isApiError(error) && error.status === 403;
      setState({ busy: false, error: denied ? 'Only an administrator of this VM (write access) can accept a new certificate.' : String((error as Error).message ?? error) });
    }
  };

  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>Possible man-in-the-middle: the certificate of {vmName} has changed</MessageBarTitle>
        <div className={styles.lines}>
          <Text>
            The VM presented a different Remote Desktop certificate from the one trusted before. The bastion stopped the connection. If nobody
            renewed the VM’s certificate, someone may be intercepting the connection. An administrator must check the new fingerprint on the
            VM and accept it before anyone can connect.
          </Text>
          <Text size={200}>
            Trusted: <span className={styles.fingerprint}>{change.pinned}</span>
          </Text>
          <Text size={200}>
            Offered: <span className={styles.fingerprint}>{change.offered}</span>
          </Text>
          {state.error && <Text role="alert">{state.error}</Text>}
        </div>
      </MessageBarBody>
      {mayAccept && (
        <MessageBarActions>
          <Button appearance="secondary" disabled={state.busy} onClick={() => void accept()}>
            Accept new certificate
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
