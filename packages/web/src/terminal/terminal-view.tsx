import {
  Button,
  Input,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  Spinner,
  Text,
  Tooltip,
  makeStyles,
  mergeClasses,
  tokens,
  type PositioningVirtualElement,
} from '@fluentui/react-components';
import { ArrowDownRegular, ArrowUpRegular, CopyRegular, DismissRegular, ClipboardPasteRegular } from '@fluentui/react-icons';
import { ClipboardAddon, type ClipboardSelectionType, type IClipboardProvider } from '@xterm/addon-clipboard';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type MouseEvent as ReactMouseEvent, type ReactNode } from 'react';
import { AckAccumulator } from './ack-accumulator.js';
import { SshSocket, type SshReady, type SshSocketEnd, type WebSocketFactory } from './ssh-socket.js';

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
}

/** The host element exposes the screen's text, for automation (end-to-end tests) and accessibility tools. */
export type TerminalHostElement = HTMLDivElement & { readScreenText?: () => string };

/** The visible rows as text (trailing spaces trimmed). */
function screenText(term: Terminal): string {
  const buffer = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  return rows.join('\n');
}

type Connection =
  | { state: 'connecting' }
  | { state: 'connected'; hostKey: SshReady['hostKey'] }
  | { state: 'ended'; message: string };

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100%', minHeight: '240px', backgroundColor: '#1e1e1e' },
  bar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  status: { display: 'flex', alignItems: 'center', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, minWidth: 0 },
  ended: { color: tokens.colorPaletteRedForeground1 },
  connected: { color: tokens.colorPaletteGreenForeground1 },
  hostKey: { fontFamily: tokens.fontFamilyMonospace, wordBreak: 'break-all' },
  body: { position: 'relative', flexGrow: 1, minHeight: 0 },
  host: { position: 'absolute', inset: 0, padding: tokens.spacingHorizontalXS, overflow: 'hidden' },
  search: {
    position: 'absolute',
    top: tokens.spacingVerticalS,
    right: tokens.spacingHorizontalXL,
    zIndex: 10,
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
    padding: tokens.spacingHorizontalXS,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow8,
  },
});

const TERMINAL_THEME = { background: '#1e1e1e', foreground: '#d4d4d4', cursor: '#d4d4d4', selectionBackground: '#264f78' } as const;

/** OSC 52 from the VM may set the clipboard; it may never read it (that would leak the user's clipboard). */
const writeOnlyClipboard: IClipboardProvider = {
  readText: () => '',
  writeText: (selection: ClipboardSelectionType, text: string) => (String(selection) === 'c' ? writeClipboard(text) : undefined),
};

async function writeClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Not focused or not allowed: the selection is still there for Ctrl+Shift+C / the menu.
  }
}

/** Restores the modes a previous session may have left on (alternate screen, mouse tracking, bracketed paste). */
const RESET_MODES = '\x1b[?1049l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[!p\r\n';

/**
 * The browser-SSH terminal: xterm.js (fit, WebGL with DOM fallback, search, links, clipboard) on one
 * SshSocket, with flow-control acks and a status line (VM, user, connection state, Reconnect).
 */
export function TerminalView({ url, vmName, username, onReconnect, createSocket, onEnded, endActions }: TerminalViewProps) {
  const styles = useStyles();
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const socketRef = useRef<SshSocket | null>(null);
  const sessionsRef = useRef(0);
  const [connection, setConnection] = useState<Connection>({ state: 'connecting' });
  const [notice, setNotice] = useState<string | undefined>();
  const [hasSelection, setHasSelection] = useState(false);
  const [menuTarget, setMenuTarget] = useState<PositioningVirtualElement | undefined>();
  const [searchOpen, setSearchOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [noMatch, setNoMatch] = useState(false);
  const searchInputRef = useRef<HTMLInputElement>(null);
  const onEndedRef = useRef(onEnded);
  onEndedRef.current = onEnded;

  const paste = useCallback(async () => {
    const term = termRef.current;
    if (!term) return;
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
    if (text) void writeClipboard(text);
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
    term.loadAddon(new ClipboardAddon(undefined, writeOnlyClipboard));
    term.open(host);
    loadWebgl(term);
    termRef.current = term;
    searchRef.current = search;
    (host as TerminalHostElement).readScreenText = () => screenText(term);

    const subscriptions = [
      term.onData((data) => socketRef.current?.sendInput(data)),
      term.onBinary((data) => socketRef.current?.sendBytes(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff))),
      term.onResize(({ cols, rows }) => socketRef.current?.resize(cols, rows)),
      term.onSelectionChange(() => {
        const text = term.getSelection();
        setHasSelection(text.length > 0);
        if (text) void writeClipboard(text); // copy on select
      }),
    ];
    term.attachCustomKeyEventHandler((event) => {
      if (!event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return true;
      const key = event.key.toLowerCase();
      if (key !== 'f' && key !== 'c' && key !== 'v') return true;
      if (event.type === 'keydown') {
        event.preventDefault();
        if (key === 'f') setSearchOpen(true);
        else if (key === 'c') copy();
        else void paste();
      }
      return false;
    });

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
      observer.disconnect();
      cancelAnimationFrame(frame);
      for (const s of subscriptions) s.dispose();
      termRef.current = null;
      searchRef.current = null;
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
      if (sessionsRef.current++ > 0) term.write(RESET_MODES);
      const s = new SshSocket(url, createSocket ? { createSocket } : {});
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
        term.focus();
      });
      s.on('notice', (message) => setNotice(message));
      s.on('closed', (end) => {
        setConnection({ state: 'ended', message: end.message });
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

  useEffect(() => {
    if (searchOpen) searchInputRef.current?.focus();
  }, [searchOpen]);

  const closeSearch = () => {
    setSearchOpen(false);
    setNoMatch(false);
    searchRef.current?.clearDecorations();
    termRef.current?.focus();
  };
  const find = (direction: 'next' | 'previous', incremental = false) => {
    const search = searchRef.current;
    if (!search || !query) return;
    const found = direction === 'next' ? search.findNext(query, { incremental }) : search.findPrevious(query);
    setNoMatch(!found);
  };
  const onSearchKeyDown = (event: ReactKeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      find(event.shiftKey ? 'previous' : 'next');
    } else if (event.key === 'Escape') {
      event.preventDefault();
      closeSearch();
    }
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

  let stateText: string;
  if (connection.state === 'connecting') stateText = 'Connecting…';
  else if (connection.state === 'connected') stateText = 'Connected';
  else stateText = `Disconnected: ${connection.message}`;

  return (
    <div className={styles.root}>
      <div className={styles.bar}>
        <div role="status" aria-label="Connection status" className={styles.status}>
          <Text weight="semibold">{vmName}</Text>
          <Text aria-hidden>·</Text>
          <Text>{username}</Text>
          <Text aria-hidden>·</Text>
          {connection.state === 'connecting' && <Spinner size="extra-tiny" aria-hidden />}
          <Text
            className={mergeClasses(connection.state === 'ended' && styles.ended, connection.state === 'connected' && styles.connected)}
          >
            {stateText}
          </Text>
          {connection.state === 'connected' && connection.hostKey.status === 'new' && (
            <Text size={200}>
              New host key pinned: {connection.hostKey.keyType} <span className={styles.hostKey}>{connection.hostKey.fingerprint}</span>
            </Text>
          )}
          {notice && <Text size={200}>{notice}</Text>}
        </div>
        {connection.state === 'ended' && (
          <div className={styles.status}>
            {endActions}
            <Button appearance="primary" size="small" onClick={onReconnect}>
              Reconnect
            </Button>
          </div>
        )}
      </div>
      <div className={styles.body}>
        {searchOpen && (
          <div className={styles.search} role="search" aria-label="Find in terminal">
            <Input
              ref={searchInputRef}
              size="small"
              aria-label="Find in terminal"
              placeholder="Find"
              value={query}
              aria-invalid={noMatch || undefined}
              onChange={(_e, data) => {
                setQuery(data.value);
                const found = data.value ? searchRef.current?.findNext(data.value, { incremental: true }) : true;
                setNoMatch(found === false);
              }}
              onKeyDown={onSearchKeyDown}
            />
            {noMatch && <Text size={200}>No matches</Text>}
            <Tooltip content="Previous match (Shift+Enter)" relationship="label">
              <Button size="small" appearance="subtle" icon={<ArrowUpRegular />} onClick={() => find('previous')} />
            </Tooltip>
            <Tooltip content="Next match (Enter)" relationship="label">
              <Button size="small" appearance="subtle" icon={<ArrowDownRegular />} onClick={() => find('next')} />
            </Tooltip>
            <Tooltip content="Close search (Escape)" relationship="label">
              <Button size="small" appearance="subtle" icon={<DismissRegular />} onClick={closeSearch} />
            </Tooltip>
          </div>
        )}
        <div ref={hostRef} className={styles.host} onContextMenu={onContextMenu} />
        <Menu
          open={menuTarget !== undefined}
          onOpenChange={(_e, data) => {
            if (!data.open) setMenuTarget(undefined);
          }}
          positioning={menuTarget ? { target: menuTarget, position: 'below', align: 'start' } : undefined}
        >
          <MenuPopover>
            <MenuList>
              <MenuItem icon={<CopyRegular />} disabled={!hasSelection} onClick={copy} secondaryContent="Ctrl+Shift+C">
                Copy
              </MenuItem>
              <MenuItem icon={<ClipboardPasteRegular />} onClick={() => void paste()} secondaryContent="Ctrl+Shift+V">
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
