import { Button, MessageBar, MessageBarActions, MessageBarBody, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { userMessage } from '../api/api-error.js';
import { usePortalSession } from '../auth/session-context.js';
import { sshTicketBody, type ConnectRequest } from '../connect/connect-request.js';
import type { SshSocketEnd } from '../terminal/ssh-socket.js';
import { TerminalView } from '../terminal/terminal-view.js';
import { HostKeyChanged } from './host-key-changed.js';

const useStyles = makeStyles({
  waiting: { padding: tokens.spacingHorizontalXXL, backgroundColor: tokens.colorNeutralBackground2, flexGrow: 1 },
});

interface TicketState {
  /** The WebSocket URL of the latest ticket; the terminal stays mounted across Reconnects. */
  url?: string;
  /** The ticket's `clipboard`: false when the bastion has `disableCopyPaste`. */
  clipboard?: boolean;
  issuing: boolean;
  error?: string;
}

/**
 * A browser SSH session: asks for a single-use connect ticket (again on every Reconnect) and runs the
 * terminal on it. A refused ticket (no access, a vault secret you may not read) is shown with Retry.
 */
export function SshSession({ request }: { request: Extract<ConnectRequest, { protocol: 'ssh' }> }) {
  const styles = useStyles();
  const { api } = usePortalSession();
  const [ticket, setTicket] = useState<TicketState>({ issuing: true });
  const [ended, setEnded] = useState<SshSocketEnd | undefined>();
  const generation = useRef(0);

  const issue = useCallback(() => {
    const mine = ++generation.current;
    setTicket((t) => ({ ...t, issuing: true, error: undefined }));
    setEnded(undefined);
    api.sshTicket(request.vmId, sshTicketBody(request)).then(
      (answer) => mine === generation.current && setTicket({ url: answer.url, clipboard: answer.clipboard !== false, issuing: false }),
      (error: unknown) => mine === generation.current && setTicket((t) => ({ ...t, issuing: false, error: userMessage(error) })),
    );
  }, [api, request]);

  useEffect(() => {
    issue();
    return () => {
      generation.current++;
    };
  }, [issue]);

  const failure = ticket.error ? (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        Could not connect to {request.vmName}: {ticket.error}
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={issue}>Retry</Button>
      </MessageBarActions>
    </MessageBar>
  ) : null;

  if (!ticket.url)
    return <div className={styles.waiting}>{failure ?? <Spinner label={`Connecting to ${request.vmName}…`} />}</div>;
  return (
    <>
      {failure}
      <TerminalView
        url={ticket.url}
        clipboardEnabled={ticket.clipboard !== false}
        vmName={request.vmName}
        username={request.username}
        onReconnect={issue}
        onEnded={setEnded}
        endActions={ended?.reason === 'host_key_changed' ? <HostKeyChanged vmId={request.vmId} port={request.port} onAccepted={issue} /> : undefined}
      />
    </>
  );
}
