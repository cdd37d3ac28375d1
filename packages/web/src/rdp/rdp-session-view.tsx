import { MessageBar, MessageBarBody, MessageBarTitle, Text, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { isApiError, type ApiError } from '../api/api-error.js';
import { usePortalSession } from '../auth/session-context.js';
import { CertificateWarning } from './certificate-warning.js';
import { ResizeDebouncer, desktopSizeFor } from './desktop-size.js';
import { IronSession } from './iron-session.js';
import { SPECIAL_KEYS, type SpecialKey } from './key-sequences.js';
import { DEFAULT_RDP_PORT, certificateChangeOn, rdpApi, relayUrlFor, type CertificateChange } from './rdp-api.js';
import { describeRdpError, describeSessionEnd, rdpFailure, type RdpFailure } from './rdp-errors.js';
import { RdpToolbar, type RdpConnectionState } from './rdp-toolbar.js';
import { useFocusToggle } from './use-focus-toggle.js';
import { useFullscreen } from './use-fullscreen.js';
import { useLeaveWarning } from '../session/use-leave-warning.js';
import { recordingRefusal, useRecordingStatus } from './use-recording-status.js';

export interface RdpStatus {
  state: RdpConnectionState;
  /** For 'ended': why, in words for the user. */
  message?: string;
  failure?: RdpFailure;
}

export interface RdpSessionViewProps {
  /** ARM resource ID of the VM. */
  vmId: string;
  vmName: string;
  username: string;
  password: string;
  /** RDP port on the VM; the server's default (3389) when absent. */
  port?: number;
  /**
   * Text clipboard both ways. Default on; the bastion's word (the token's `clipboard`, false when it has
   * `disableCopyPaste`) wins: this prop can only turn the clipboard off, never on against the bastion.
   */
  clipboardEnabled?: boolean;
  onStatus?: (status: RdpStatus) => void;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', flexGrow: 1, height: '100%', minHeight: '240px', backgroundColor: '#202020' },
  body: { position: 'relative', flexGrow: 1, minHeight: 0, overflow: 'hidden' },
  host: { position: 'absolute', inset: 0, display: 'flex' },
  overlay: {
    position: 'absolute',
    top: tokens.spacingVerticalL,
    left: '50%',
    transform: 'translateX(-50%)',
    width: 'min(720px, calc(100% - 32px))',
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    zIndex: 1,
  },
  detail: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: 'pre-wrap', wordBreak: 'break-word' },
});

/** Failures behind which a refused (changed) VM certificate may hide, depending on what reached the client. */
const MAYBE_CERTIFICATE: ReadonlySet<RdpFailure['kind']> = new Set(['certificate-changed', 'relay', 'tls', 'handshake', 'general']);

/** Used before the element has a size (hidden tab): a common desktop size. */
const FALLBACK_SIZE = { width: 1280, height: 800 };

/**
 * A remote desktop through the bastion: fetches a fresh single-use token for every connect and Reconnect,
 * runs IronRDP (loaded on first use) in the element, keeps the desktop's size on the element's, and says
 * in words why a session did not start or ended. Everything it opens is closed on unmount.
 */
export function RdpSessionView({ vmId, vmName, username, password, port, clipboardEnabled = true, onStatus }: RdpSessionViewProps) {
  const styles = useStyles();
  const { api } = usePortalSession();
  const rdp = useMemo(() => rdpApi(api.client), [api]);
  const rootRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const keysButtonRef = useRef<HTMLButtonElement>(null);
  const sessionRef = useRef<IronSession | null>(null);
  const debouncerRef = useRef<ResizeDebouncer | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [status, setStatus] = useState<RdpStatus>({ state: 'connecting' });
  const [notice, setNotice] = useState<string | undefined>();
  const [certificateChange, setCertificateChange] = useState<CertificateChange | undefined>();
  const [remoteClipboardWaiting, setRemoteClipboardWaiting] = useState(false);
  /** The bastion's `clipboard` from the latest token (undefined until one arrives). */
  const [bastionClipboard, setBastionClipboard] = useState<boolean | undefined>();
  /** The token of the latest connect: the key of the session's recording status on the server. */
  const [token, setToken] = useState<string | undefined>();
  const notRecorded = useRecordingStatus(rdp, token, status.state === 'connected');
  const { fullscreen, toggle: toggleFullscreen } = useFullscreen(rootRef);
  const onStatusRef = useRef(onStatus);
  onStatusRef.current = onStatus;

  useEffect(() => {
    onStatusRef.current?.(status);
  }, [status]);
  useLeaveWarning(status.state === 'connected');

  // One connection per attempt (mount, Reconnect).
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const controller = new AbortController();
    const { signal } = controller;
    setStatus({ state: 'connecting' });
    setNotice(undefined);
    setRemoteClipboardWaiting(false);
    // The relay refuses a changed certificate; whatever error reached the client, ask the server whether that was why.
    const checkCertificate = () => {
      rdp.certificates(vmId).then(
        (entries) => {
          const change = certificateChangeOn(entries, port ?? DEFAULT_RDP_PORT);
          if (signal.aborted || !change) return;
          const failure = rdpFailure('certificate-changed');
          setCertificateChange(change);
          setStatus({ state: 'ended', message: failure.message, failure });
        },
        () => undefined, // no certificate information: the error already shown stands
      );
    };
    let spent: string | undefined;
    // A refusal carries only numbers: if the bastion refused or ended the session because it could not record it, say so.
    const explainRefusal = () => {
      if (!spent) return;
      void recordingRefusal(rdp, spent).then((message) => !signal.aborted && message && setStatus((s) => (s.state === 'ended' ? { ...s, message, ...(s.failure && { failure: { ...s.failure, message } }) } : s)));
    };
    // Deferred a tick so React's StrictMode mount/unmount/mount does not spend the single-use token twice.
    const start = setTimeout(() => {
      const desktopSize = desktopSizeFor(host.clientWidth, host.clientHeight) ?? FALLBACK_SIZE;
      IronSession.connect(host, {
        desktopSize,
        clipboard: clipboardEnabled,
        signal,
        target: async () => {
          const t = await rdp.token(vmId, port);
          const allowed = t.clipboard !== false; // only an explicit false turns it off (an older server sends none)
          if (!signal.aborted) {
            setBastionClipboard(allowed);
            setToken(t.token);
          }
          spent = t.token;
          return { username, password, destination: t.destination, proxyUrl: relayUrlFor(t.proxyUrl, window.location), token: t.token, clipboard: allowed };
        },
        onWarning: (message) => setNotice(message),
        onRemoteClipboard: () => setRemoteClipboardWaiting(true),
      }).then(
        (session) => {
          if (signal.aborted) return; // connect() already disposed it
          sessionRef.current = session;
          const debouncer = debouncerRef.current;
          if (debouncer) {
            // The VM has the connect size; if the element changed size meanwhile, that resize goes now.
            debouncer.current = desktopSize;
            debouncer.observe(host.clientWidth, host.clientHeight);
          }
          setCertificateChange(undefined);
          setStatus({ state: 'connected' });
          session.focus();
          session.ended.then(
            (reason) => {
              if (signal.aborted) return;
              setStatus({ state: 'ended', message: describeSessionEnd(reason, session.userEnded) });
              if (!session.userEnded) explainRefusal();
            },
            (error: unknown) => {
              if (signal.aborted) return;
              // Disconnect tears the connection down; IronRDP may report that as an error.
              if (session.userEnded) return setStatus({ state: 'ended', message: describeSessionEnd('', true) });
              const failure = describeRdpError(error, 'session');
              setStatus({ state: 'ended', message: failure.message, failure });
              explainRefusal();
            },
          );
        },
        (error: unknown) => {
          if (signal.aborted) return;
          // A refused token request carries the server's own words (e.g. the missing role).
          const failure: RdpFailure = isApiError(error) ? apiFailure(error) : describeRdpError(error, 'connect');
          setStatus({ state: 'ended', message: failure.message, failure });
          if (!isApiError(error) && MAYBE_CERTIFICATE.has(failure.kind)) checkCertificate();
          if (!isApiError(error)) explainRefusal();
        },
      );
    }, 0);

    return () => {
      clearTimeout(start);
      controller.abort();
      sessionRef.current?.dispose();
      sessionRef.current = null;
    };
  }, [attempt, rdp, vmId, port, username, password, clipboardEnabled]);

  // The desktop follows the element's size (window resize, full screen, side panels), debounced.
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const debouncer = new ResizeDebouncer((size) => sessionRef.current?.resize(size));
    debouncerRef.current = debouncer;
    const observer = new ResizeObserver(() => debouncer.observe(host.clientWidth, host.clientHeight));
    observer.observe(host);
    return () => {
      observer.disconnect();
      debouncer.dispose();
      debouncerRef.current = null;
    };
  }, []);

  const toggleFocus = useCallback(() => {
    const session = sessionRef.current;
    if (!session) return;
    if (session.hasFocus()) {
      session.releaseAllInputs(); // the VM saw Ctrl and Shift go down; it must not keep them held
      keysButtonRef.current?.focus();
    } else session.focus();
  }, []);
  useFocusToggle({ inDesktop: () => sessionRef.current?.hasFocus() ?? false, leave: toggleFocus, enter: toggleFocus });

  const sendKeys = (key: SpecialKey) => {
    const session = sessionRef.current;
    if (!session) return;
    session.send(SPECIAL_KEYS[key].strokes);
    session.focus();
  };

  const clipboardAction = (action: (s: IronSession) => Promise<void>, done?: () => void) => {
    const session = sessionRef.current;
    if (!session) return;
    action(session).then(
      () => {
        done?.();
        session.focus();
      },
      (error: unknown) => setNotice(describeClipboardError(error)),
    );
  };

  const disconnect = () => {
    if (!sessionRef.current) return;
    sessionRef.current.dispose();
    sessionRef.current = null;
    // Said at once: IronRDP's graceful shutdown may wait for a VM that never answers it (freerdp-shadow).
    setStatus({ state: 'ended', message: describeSessionEnd('', true) });
  };

  let stateText: string;
  if (status.state === 'connecting') stateText = 'Connecting…';
  else if (status.state === 'connected') stateText = 'Connected';
  else stateText = status.failure ? 'Not connected' : 'Disconnected';

  return (
    <div ref={rootRef} className={styles.root}>
      <RdpToolbar
        vmName={vmName}
        username={username}
        state={status.state}
        stateText={stateText}
        notice={notice}
        notRecorded={notRecorded}
        clipboardEnabled={clipboardEnabled && bastionClipboard !== false}
        clipboardDisabledByBastion={bastionClipboard === false}
        remoteClipboardWaiting={remoteClipboardWaiting}
        fullscreen={fullscreen}
        keysButtonRef={keysButtonRef}
        onKeys={sendKeys}
        onToggleFocus={toggleFocus}
        onPasteToVm={() => clipboardAction((s) => s.sendClipboard(), () => setNotice('Clipboard text sent to the VM.'))}
        onCopyFromVm={() => clipboardAction((s) => s.saveRemoteClipboard(), () => setRemoteClipboardWaiting(false))}
        onFullscreen={toggleFullscreen}
        onDisconnect={disconnect}
        onReconnect={() => setAttempt((n) => n + 1)}
      />
      <div className={styles.body}>
        <div ref={hostRef} className={styles.host} aria-label={`Remote desktop of ${vmName}`} />
        {status.state === 'ended' && (
          <div className={styles.overlay} role="alert" aria-label="Session ended">
            {certificateChange ? (
              <CertificateWarning
                vmId={vmId}
                vmName={vmName}
                change={certificateChange}
                // No per-VM permission is known here: the server decides (VM write) and a 403 is explained.
                mayAccept
                api={rdp}
                onAccepted={() => {
                  setCertificateChange(undefined);
                  setNotice('New certificate accepted.');
                  setAttempt((n) => n + 1);
                }}
              />
            ) : (
              <MessageBar intent={status.failure ? 'error' : 'info'} layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>{status.failure ? `Could not connect to ${vmName}` : 'Session ended'}</MessageBarTitle>
                  <Text>{status.message}</Text>
                  {status.failure?.detail && (
                    <details>
                      <summary>Details</summary>
                      <Text size={200} className={styles.detail}>
                        {status.failure.detail}
                      </Text>
                    </details>
                  )}
                </MessageBarBody>
              </MessageBar>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

/** The token request failed: the server's message says why (e.g. the role that is missing). */
function apiFailure(error: ApiError): RdpFailure {
  const kind = error.status === 403 ? 'forbidden' : error.status === 404 ? 'not-found' : error.status === 0 ? 'relay' : 'general';
  return { kind, message: error.message };
}

function describeClipboardError(error: unknown): string {
  const text = typeof (error as { backtrace?: unknown })?.backtrace === 'function' ? String((error as { backtrace: () => string }).backtrace()) : String((error as Error)?.message ?? error);
  return `Clipboard: ${text}`;
}
