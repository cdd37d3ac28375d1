import { Button, Spinner, Text, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { ArrowClockwiseRegular, PlugDisconnectedRegular } from '@fluentui/react-icons';
import type { ReactNode } from 'react';
import { BackToPortal } from '../session/back-to-portal.js';
import { useSessionBarStyles } from '../session/session-bar-styles.js';
import { describeEnd } from './session-end.js';
import type { SshReady, SshSocketEnd } from './ssh-socket.js';

export type Connection =
  | { state: 'connecting' }
  | { state: 'connected'; hostKey: SshReady['hostKey'] }
  | { state: 'ended'; end: SshSocketEnd };

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
  onDisconnect(): void;
}

/** VM, user and connection state (with the host key on first use); once ended, the reason and Reconnect. */
export function TerminalStatusBar({ vmName, username, connection, notice, endActions, onReconnect, onDisconnect }: TerminalStatusBarProps) {
  const styles = useStyles();
  const bar = useSessionBarStyles();
  const ended = connection.state === 'ended' ? describeEnd(connection.end) : undefined;
  let stateText: string;
  if (connection.state === 'connecting') stateText = 'Connecting…';
  else if (connection.state === 'connected') stateText = 'Connected';
  else stateText = ended!.calm || !ended!.detail ? ended!.title : `${ended!.title}: ${ended!.detail}`;

  return (
    <div className={bar.bar}>
      <div role="status" aria-label="Connection status" className={bar.status}>
        <Text weight="semibold">{vmName}</Text>
        <Text aria-hidden>·</Text>
        <Text>{username}</Text>
        <Text aria-hidden>·</Text>
        {connection.state === 'connecting' && <Spinner size="extra-tiny" aria-hidden />}
        <Text className={mergeClasses(ended && !ended.calm && bar.ended, connection.state === 'connected' && bar.connected)}>{stateText}</Text>
        {ended?.calm && ended.detail && <Text size={200}>{ended.detail}</Text>}
        {connection.state === 'connected' && connection.hostKey.status === 'new' && (
          <Text size={200}>
            New host key pinned: {connection.hostKey.keyType} <span className={styles.hostKey}>{connection.hostKey.fingerprint}</span>
          </Text>
        )}
        {notice && <Text size={200}>{notice}</Text>}
      </div>
      <div className={bar.status}>
        {connection.state === 'ended' && endActions}
        {connection.state === 'ended' ? (
          <Button appearance="primary" size="small" icon={<ArrowClockwiseRegular />} onClick={onReconnect}>
            Reconnect
          </Button>
        ) : (
          <Button appearance="subtle" size="small" icon={<PlugDisconnectedRegular />} disabled={connection.state !== 'connected'} onClick={onDisconnect}>
            Disconnect
          </Button>
        )}
        <BackToPortal />
      </div>
    </div>
  );
}
