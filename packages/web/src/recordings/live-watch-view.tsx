import { makeStyles, MessageBar, MessageBarBody, tokens } from '@fluentui/react-components';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { LIVE_WATCH_ENDED, parseResize } from '../../../protocol/src/recordings.js';
import { CastLineReader, liveWatchUrl } from './recordings-api.js';

const useStyles = makeStyles({
  frame: { overflow: 'auto', backgroundColor: '#000', padding: tokens.spacingHorizontalS, borderRadius: tokens.borderRadiusMedium, alignSelf: 'flex-start', maxWidth: '100%' },
});

type Status = { kind: 'connecting' | 'watching' | 'ended' } | { kind: 'error'; message: string };

/** The visible rows as text, for automation (the same contract as the session terminal's host element). */
function screenText(term: Terminal): string {
  const buffer = term.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < term.rows; y++) rows.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  return rows.join('\n');
}

/**
 * A read-only terminal fed by the live-watch WebSocket: the session's cast from its start (replayed at once),
 * then its output as it happens, at the user's terminal size. Keyboard input is disabled and nothing is
 * ever sent on the socket: the watcher cannot reach the VM.
 */
export default function LiveWatchView({ sessionId }: { sessionId: string }) {
  const styles = useStyles();
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>({ kind: 'connecting' });

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const term = new Terminal({ disableStdin: true, cursorBlink: false, scrollback: 5000, fontFamily: 'Consolas, "Cascadia Mono", "DejaVu Sans Mono", monospace', fontSize: 14 });
    term.open(el);
    (el as HTMLDivElement & { readScreenText?: () => string }).readScreenText = () => screenText(term);
    const reader = new CastLineReader();
    const ws = new WebSocket(liveWatchUrl(sessionId, window.location));
    ws.onopen = () => setStatus({ kind: 'watching' });
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data !== 'string') return;
      for (const line of reader.push(e.data)) {
        if (line.kind === 'header') term.resize(line.header.width, line.header.height);
        else if (line.event[1] === 'o') term.write(line.event[2]);
        else if (line.event[1] === 'r') {
          const size = parseResize(line.event[2]);
          if (size) term.resize(size.cols, size.rows);
        }
      }
    };
    ws.onclose = (e: CloseEvent) => setStatus(e.code === LIVE_WATCH_ENDED.code ? { kind: 'ended' } : { kind: 'error', message: e.reason || `The live view closed (code ${e.code}).` });
    return () => {
      ws.onclose = null;
      ws.close();
      term.dispose();
    };
  }, [sessionId]);

  const text = status.kind === 'error' ? status.message : { connecting: 'Connecting…', watching: 'Watching live (read-only)', ended: 'The session ended.' }[status.kind];
  return (
    <>
      <MessageBar intent={status.kind === 'error' ? 'error' : status.kind === 'ended' ? 'info' : 'success'} role="status" aria-label="Live view status">
        <MessageBarBody>{text}</MessageBarBody>
      </MessageBar>
      <div className={styles.frame}>
        <div ref={host} />
      </div>
    </>
  );
}
