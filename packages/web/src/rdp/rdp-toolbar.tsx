import { Button, Menu, MenuButton, MenuItem, MenuList, MenuPopover, MenuTrigger, Spinner, Text, Tooltip, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import {
  ArrowClockwiseRegular,
  ClipboardPasteRegular,
  CopyRegular,
  FullScreenMaximizeRegular,
  FullScreenMinimizeRegular,
  KeyboardRegular,
  PlugDisconnectedRegular,
} from '@fluentui/react-icons';
import type { Ref } from 'react';
import { BackToPortal } from '../session/back-to-portal.js';
import { useSessionBarStyles } from '../session/session-bar-styles.js';
import { SPECIAL_KEYS, type SpecialKey } from './key-sequences.js';

export type RdpConnectionState = 'connecting' | 'connected' | 'ended';

const useStyles = makeStyles({
  grow: { flexGrow: 1 },
  warning: { color: tokens.colorPaletteDarkOrangeForeground1 },
  actions: { display: 'flex', alignItems: 'center', columnGap: tokens.spacingHorizontalXS },
});

export interface RdpToolbarProps {
  vmName: string;
  username: string;
  state: RdpConnectionState;
  stateText: string;
  notice: string | undefined;
  /** Why this session is not being recorded (the bastion's words); stays for the rest of the session. */
  notRecorded?: string | undefined;
  clipboardEnabled: boolean;
  /** The bastion has `disableCopyPaste`: say so (the clipboard buttons are gone). */
  clipboardDisabledByBastion?: boolean;
  /** The VM copied something the page could not write by itself: offer "Copy from VM". */
  remoteClipboardWaiting: boolean;
  fullscreen: boolean;
  keysButtonRef: Ref<HTMLButtonElement>;
  onKeys: (key: SpecialKey) => void;
  onToggleFocus: () => void;
  onPasteToVm: () => void;
  onCopyFromVm: () => void;
  onFullscreen: () => void;
  onDisconnect: () => void;
  onReconnect: () => void;
}

/** Status line (VM · user · state) and the session's commands. */
export function RdpToolbar(props: RdpToolbarProps) {
  const styles = useStyles();
  const bar = useSessionBarStyles();
  const connected = props.state === 'connected';
  return (
    <div className={bar.bar}>
      <div role="status" aria-label="Connection status" className={mergeClasses(bar.status, styles.grow)}>
        <Text weight="semibold">{props.vmName}</Text>
        <Text aria-hidden>·</Text>
        <Text>{props.username}</Text>
        <Text aria-hidden>·</Text>
        {props.state === 'connecting' && <Spinner size="extra-tiny" aria-hidden />}
        <Text className={mergeClasses(props.state === 'ended' && bar.ended, connected && bar.connected)}>{props.stateText}</Text>
        {props.clipboardDisabledByBastion ? (
          <Text size={200}>· Copy and paste is disabled on this bastion</Text>
        ) : (
          !props.clipboardEnabled && <Text size={200}>· Clipboard off</Text>
        )}
        {props.notRecorded && (
          <Text size={200} weight="semibold" className={styles.warning} aria-label="Recording">
            · {props.notRecorded}
          </Text>
        )}
        {props.notice && <Text size={200}>· {props.notice}</Text>}
      </div>
      <div className={styles.actions}>
        <Menu>
          <MenuTrigger disableButtonEnhancement>
            <MenuButton ref={props.keysButtonRef} size="small" appearance="subtle" icon={<KeyboardRegular />} disabled={!connected}>
              Keys
            </MenuButton>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {(Object.keys(SPECIAL_KEYS) as SpecialKey[]).map((key) => (
                <MenuItem key={key} onClick={() => props.onKeys(key)}>
                  Send {SPECIAL_KEYS[key].label}
                </MenuItem>
              ))}
              <MenuItem onClick={props.onToggleFocus} secondaryContent="Ctrl+Shift+Alt">
                Keyboard to desktop / page
              </MenuItem>
            </MenuList>
          </MenuPopover>
        </Menu>
        {props.clipboardEnabled && (
          <Tooltip content="Send this computer's clipboard text to the VM" relationship="description">
            <Button size="small" appearance="subtle" icon={<ClipboardPasteRegular />} disabled={!connected} onClick={props.onPasteToVm}>
              Paste to VM
            </Button>
          </Tooltip>
        )}
        {props.clipboardEnabled && props.remoteClipboardWaiting && (
          <Button size="small" appearance="primary" icon={<CopyRegular />} onClick={props.onCopyFromVm}>
            Copy from VM
          </Button>
        )}
        <Tooltip content={props.fullscreen ? 'Leave full screen (hold Esc)' : 'Full screen'} relationship="label">
          <Button
            size="small"
            appearance="subtle"
            icon={props.fullscreen ? <FullScreenMinimizeRegular /> : <FullScreenMaximizeRegular />}
            onClick={props.onFullscreen}
          />
        </Tooltip>
        {props.state === 'ended' ? (
          <Button size="small" appearance="primary" icon={<ArrowClockwiseRegular />} onClick={props.onReconnect}>
            Reconnect
          </Button>
        ) : (
          <Button size="small" appearance="subtle" icon={<PlugDisconnectedRegular />} disabled={!connected} onClick={props.onDisconnect}>
            Disconnect
          </Button>
        )}
        <BackToPortal />
      </div>
    </div>
  );
}
