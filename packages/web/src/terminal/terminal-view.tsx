import {
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  makeStyles,
  tokens,
  type PositioningVirtualElement,
} from '@fluentui/react-components';
import { CopyRegular, ClipboardPasteRegular } from '@fluentui/react-icons';
import { ClipboardAddon } from '@xterm/addon-clipboard';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useCallback, useEffect, useRef, useState, type MouseEvent as ReactMouseEvent, type ReactNode } from 'react';
import { AckAccumulator } from './ack-accumulator.js';
import { useLeaveWarning } from '../session/use-leave-warning.js';
import { shortcutOf, UNCONTROLLED_FOCUS_ATTRIBUTE, writeClipboard, writeOnlyClipboard } from './terminal-keys.js';
import { TerminalSearchBar } from './terminal-search-bar.js';
import { TerminalStatusBar, type Connection } from './terminal-status-bar.js';
import { SshSocket, type SshSocketEnd, type WebSocketFactory } from './ssh-socket.js';

export interface TerminalViewProps {
  /** The session's WebSocket URL (with its single-use connect ticket). A new URL starts a new session. */
  url: string;
  vmName: string;
  username: string;
  /** Called by the Reconnect button; the parent should answer with a fresh `url`. */
  onReconnect: () => void;
  /** Injectable WebSocket (tests, embedding); defaults to the browser's. */
  createSocket?: WebSocketFactory;
  /** Told once per session when it ends (with the server's reason), e.g. to offer accepting a changed host key. */
  onEnded?: (end: SshSocketEnd) => void;
  /** Extra buttons beside Reconnect once the session has ended. */
  endActions?: ReactNode;
  /**
   * Text clipboard (default on). Off when the bastion has `disableCopyPaste` (the ticket's `clipboard`): no
   * copy on select, no OSC 52, Copy/Paste in the menu and Ctrl+Shift+C/V disabled, browser copy/paste
   * events into and out of the terminal dropped. Typing is unaffected.
   */
  clipboardEnabled?: boolean;
}

const COPY_PASTE_DISABLED = 'Copy and paste is disabled on this bastion';

/** The host element exposes the screen's text, for automation (end-to-end tests) and accessibility tools. */
export type TerminalHostElement = HTMLDivElement & { readScreenText?: () => string; readBufferText?: () => string };

/** The connect URL with the terminal's size (`cols`, `rows`) for the PTY's first size. */
export function withTerminalSize(url: string, cols: number, rows: number): string {
  return `${url}${url.includes('?') ? '&' : '?'}cols=${cols}&rows=${rows}`;
}

/** The visible rows as text (trailing spaces trimmed). */
function screenText(term: Terminal): string {
  const buffer = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  return rows.join('\n');
}

/** Every line of the buffer, scrollback included (what scrolling up shows). */
function bufferText(term: Terminal): string {
  const buffer = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < buffer.length; y++) rows.push(buffer.getLine(y)?.translateToString(true) ?? '');
  return rows.join('\n');
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100%', minHeight: '240px', backgroundColor: '#1e1e1e' },
  body: { position: 'relative', flexGrow: 1, minHeight: 0 },
  host: { position: 'absolute', inset: 0, padding: tokens.spacingHorizontalXS, overflow: 'hidden' },
});

const TERMINAL_THEME = { background: '#1e1e1e', foreground: '#d4d4d4', cursor: '#d4d4d4', selectionBackground: '#264f78' } as const;

/**
 * The browser-SSH terminal: xterm.js (fit, WebGL with DOM fallback, search, links, clipboard) on one
 * SshSocket, with flow-control acks and a status line (VM, user, connection state, Reconnect).
 */
export function TerminalView({ url, vmName, username, onReconnect, createSocket, onEnded, endActions, clipboardEnabled = true }: TerminalViewProps) {
  const styles = useStyles();
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const socketRef = useRef<SshSocket | null>(null);
  const sessionsRef = useRef(0);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting' });
  const [notice, setNotice] = useState<string | undefined>();
  // Kept for the whole session (an idle warning's clearing must not hide it); a new session starts without it.
  const [notRecorded, setNotRecorded] = useState<string | undefined>();
  // "The VM is not responding" while the VM is silent; its own slot, so the idle warning neither hides nor clears it.
  const [vmStatus, setVmStatus] = useState<string | undefined>();
  const [hasSelection, setHasSelection] = useState(false);
  const [menuTarget, setMenuTarget] = useState<PositioningVirtualElement | undefined>();
  const [searchOpen, setSearchOpen] = useState(false);
  const onEndedRef = useRef(onEnded);
  onEndedRef.current = onEnded;
  // Read at event time: the terminal outlives a Reconnect, whose ticket may say otherwise.
  const clipboardRef = useRef(clipboardEnabled);
  clipboardRef.current = clipboardEnabled;

  const paste = useCallback(async () => {
    const term = termRef.current;
    if (!term) return;
    if (!clipboardRef.current) return; // Ctrl+Shift+V while disabled: swallowed, nothing read
    try {
      const text = await navigator.clipboard.readText();
      if (text) term.paste(text);
    } catch {
      setNotice('The browser did not allow reading the clipboard. Use the browser’s own paste (Ctrl+V in its Edit menu).');
    }
    term.focus();
  }, []);

  const copy = useCallback(() => {
    const term = termRef.current;
    if (!term) return;
    const text = term.getSelection();
    if (text && clipboardRef.current) void writeClipboard(text);
    term.focus();
  }, []);

  // The terminal: created once per mount, disposed (with its addons) on unmount.
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const term = new Terminal({
      cursorBlink: true,
      fontFamily: 'ui-monospace, "Cascadia Mono", "Segoe UI Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace',
      fontSize: 14,
      scrollback: 5000,
      theme: TERMINAL_THEME,
    });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
    term.loadAddon(new ClipboardAddon(undefined, writeOnlyClipboard(() => clipboardRef.current)));
    term.open(host);
    loadWebgl(term);
    termRef.current = term;
    searchRef.current = search;
    fitRef.current = fit;
    (host as TerminalHostElement).readScreenText = () => screenText(term);
    (host as TerminalHostElement).readBufferText = () => bufferText(term);

    const subscriptions = [
      term.onData((data) => socketRef.current?.sendInput(data)),
      term.onBinary((data) => socketRef.current?.sendBytes(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff))),
      term.onResize(({ cols, rows }) => socketRef.current?.resize(cols, rows)),
      term.onSelectionChange(() => {
        const text = term.getSelection();
        setHasSelection(text.length > 0);
        if (text && clipboardRef.current) void writeClipboard(text); // copy on select
      }),
    ];
    term.attachCustomKeyEventHandler((event) => {
      const shortcut = shortcutOf(event);
      if (!shortcut) return true;
      if (event.type === 'keydown') {
        event.preventDefault();
        if (shortcut === 'search') setSearchOpen(true);
        else if (shortcut === 'copy') copy();
        else void paste();
      }
      return false;
    });

    // The browser's own copy and paste (Edit menu, Ctrl+Insert/Shift+Insert, middle click) go through
    // these events on xterm's textarea: dropped before xterm sees them while copy/paste is disabled.
    const blockClipboardEvent = (event: Event) => {
      if (clipboardRef.current) return;
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    for (const type of ['copy', 'cut', 'paste'] as const) host.addEventListener(type, blockClipboardEvent, true);

    let frame = 0;
    const refit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (host.clientWidth > 0 && host.clientHeight > 0) fit.fit();
      });
    };
    const observer = new ResizeObserver(refit);
    observer.observe(host);
    refit();

    return () => {
      for (const type of ['copy', 'cut', 'paste'] as const) host.removeEventListener(type, blockClipboardEvent, true);
      observer.disconnect();
      cancelAnimationFrame(frame);
      for (const s of subscriptions) s.dispose();
      termRef.current = null;
      searchRef.current = null;
      fitRef.current = null;
      term.dispose();
    };
  }, [copy, paste]);

  // The session: one SshSocket per URL.
  useEffect(() => {
    const term = termRef.current;
    if (!term) return;
    setConnection({ state: 'connecting' });
    setNotice(undefined);
    let socket: SshSocket | undefined;
    // Deferred a tick so React's StrictMode mount/unmount/mount does not spend the single-use ticket twice.
    const start = setTimeout(() => {
      // A new session starts on a clean terminal: a full reset (RIS) clears the screen, the scrollback
      // and any mode the previous session left on (alternate screen, mouse tracking, bracketed paste).
      if (sessionsRef.current++ > 0) term.reset();
      // Fit now and open the PTY at this size: a resize after the shell started would redraw its prompt mid-line.
      const host = hostRef.current;
      if (host && host.clientWidth > 0 && host.clientHeight > 0) fitRef.current?.fit();
      const s = new SshSocket(withTerminalSize(url, term.cols, term.rows), createSocket ? { createSocket } : {});
      socket = s;
      socketRef.current = s;
      const acks = new AckAccumulator();
      s.on('data', (data) => {
        acks.queued();
        term.write(data, () => {
          const bytes = acks.written(data.length);
          if (bytes > 0) s.ack(bytes);
        });
      });
      s.on('ready', (ready) => {
        setConnection({ state: 'connected', hostKey: ready.hostKey });
        setNotRecorded(undefined);
        term.focus();
      });
      s.on('notice', (message) => setNotice(message));
      s.on('notRecorded', (message) => setNotRecorded(message));
      s.on('vmStatus', (message) => setVmStatus(message || undefined));
      s.on('closed', (end) => {
        setConnection({ state: 'ended', end });
        setVmStatus(undefined);
        onEndedRef.current?.(end);
      });
      s.resize(term.cols, term.rows);
    }, 0);
    return () => {
      clearTimeout(start);
      socket?.dispose();
      if (socketRef.current === socket) socketRef.current = null;
    };
  }, [url, createSocket]);

  useLeaveWarning(connection.state === 'connected');

  const disconnect = useCallback(() => socketRef.current?.disconnect(), []);

  const closeSearch = () => {
    setSearchOpen(false);
    termRef.current?.focus();
  };

  const onContextMenu = (event: ReactMouseEvent<HTMLDivElement>) => {
    event.preventDefault();
    const host = hostRef.current;
    const rect = host?.getBoundingClientRect();
    // A keyboard-opened context menu (Shift+F10) has no pointer position: anchor at the terminal's corner.
    const x = event.clientX || event.pageX ? event.clientX : (rect?.left ?? 0);
    const y = event.clientX || event.pageX ? event.clientY : (rect?.top ?? 0);
    setHasSelection(termRef.current?.hasSelection() ?? false);
    setMenuTarget({ getBoundingClientRect: () => DOMRect.fromRect({ x, y, width: 0, height: 0 }) });
  };

  return (
    <div className={styles.root}>
      <TerminalStatusBar
        vmName={vmName}
        username={username}
        connection={connection}
        notice={[clipboardEnabled ? undefined : COPY_PASTE_DISABLED, vmStatus, notRecorded, notice].filter(Boolean).join(' · ') || undefined}
        endActions={endActions}
        onReconnect={onReconnect}
        onDisconnect={disconnect}
      />
      <div className={styles.body}>
        {searchOpen && <TerminalSearchBar search={searchRef.current} onClose={closeSearch} />}
        <div ref={hostRef} className={styles.host} onContextMenu={onContextMenu} {...UNCONTROLLED_FOCUS_ATTRIBUTE} />
        <Menu
          open={menuTarget !== undefined}
          onOpenChange={(_e, data) => {
            if (!data.open) setMenuTarget(undefined);
          }}
          positioning={menuTarget ? { target: menuTarget, position: 'below', align: 'start' } : undefined}
        >
          <MenuPopover>
            <MenuList>
              <MenuItem icon={<CopyRegular />} disabled={!clipboardEnabled || !hasSelection} onClick={copy} secondaryContent="Ctrl+Shift+C">
                Copy
              </MenuItem>
              <MenuItem icon={<ClipboardPasteRegular />} disabled={!clipboardEnabled} onClick={() => void paste()} secondaryContent="Ctrl+Shift+V">
                Paste
              </MenuItem>
            </MenuList>
          </MenuPopover>
        </Menu>
      </div>
    </div>
  );
}

/** The WebGL renderer when the browser can; xterm's DOM renderer otherwise, and after a lost context. */
function loadWebgl(term: Terminal): void {
  try {
    const webgl = new WebglAddon();
    webgl.onContextLoss(() => webgl.dispose());
    term.loadAddon(webgl);
  } catch {
    // No WebGL2 (or it failed to initialise): the DOM renderer stays in place.
  }
}
