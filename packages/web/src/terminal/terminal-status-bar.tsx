import { Button, Spinner, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useSessionBarStyles } from '../session/session-bar-styles.js';
import type { SshReady } from './ssh-socket.js';

export type Connection =
  | { state: 'connecting' }
  | { state: 'connected'; hostKey: SshReady['hostKey'] }
  | { state: 'ended'; message: string };

const useStyles = makeStyles({
  hostKey: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
});

export interface TerminalStatusBarProps {
  vmName: string;
  username: string;
  connection: Connection;
  notice: string | undefined;
  endActions?: ReactNode;
  onReconnect(): void;
}

/** VM, user and connection state (with the host key on first use); once ended, the reason and Reconnect. */
export function TerminalStatusBar({ vmName, username, connection, notice, endActions, onReconnect }: TerminalStatusBarProps) {
  const styles = useStyles();
  const bar = useSessionBarStyles();
  let stateText: string;
  if (connection.state === 'connecting') stateText = 'Connecting…';
  else if (connection.state === 'connected') stateText = 'Connected';
  else stateText = `Disconnected: ${connection.message}`;

  return (
    <div className={bar.bar}>
      <div role="status" aria-label="Connection status" className={bar.status}>
        <Text weight="semibold">{vmName}</Text>
        <Text aria-hidden>·</Text>
        <Text>{username}</Text>
        <Text aria-hidden>·</Text>
        {connection.state === 'connecting' && <Spinner size="extra-tiny" aria-hidden />}
        <Text className={mergeClasses(connection.state === 'ended' && bar.ended, connection.state === 'connected' && bar.connected)}>{stateText}</Text>
        {connection.state === 'connected' && connection.hostKey.status === 'new' && (
          <Text size={200}>
            New host key pinned: {connection.hostKey.keyType} <span className={styles.hostKey}>{connection.hostKey.fingerprint}</span>
          </Text>
        )}
        {notice && <Text size={200}>{notice}</Text>}
      </div>
      {connection.state === 'ended' && (
        <div className={bar.status}>
          {endActions}
          <Button appearance="primary" size="small" onClick={onReconnect}>
            Reconnect
          </Button>
        </div>
      )}
    </div>
  );
}
