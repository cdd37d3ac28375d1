/**
 * Session recordings (design 0006): the API shapes and the asciicast v2 event model, shared by server and
 * web client. SSH sessions are recorded as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/),
 * RDP sessions as `rdpcap` captures (see rdpcap.ts).
 */

export type RecordingFormat = 'asciicast' | 'rdpcap';

/**
 * `recording`: being written (the session is live); `complete`: ended normally; `failed`: writing stopped
 * on an error (the file holds everything up to it); `interrupted`: the bastion died while writing.
 */
export type RecordingStatus = 'recording' | 'complete' | 'failed' | 'interrupted';

/** One recording as `GET /api/recordings` lists it. */
export interface RecordingInfo {
  sessionId: string;
  protocol: 'ssh' | 'rdp';
  format: RecordingFormat;
  /** The VM's resource ID. */
  vm: string;
  /** The bastion user who ran the session (the connection record's principalName). */
  user: string;
  /** The account on the VM. */
  userName: string;
  /** ISO 8601. */
  start: string;
  /** ISO 8601; null while live. */
  end: string | null;
  /** Bytes in the file (now, for a live recording). */
  size: number;
  status: RecordingStatus;
  /** True while the session runs: it can be watched live (SSH). */
  live: boolean;
  /** Why writing failed (`status: 'failed'`). */
  error: string | null;
  /**
   * What the bastion did to the file besides writing it (cut back to its last complete frame after a write
   * error, repaired at start-up after a crash, not kept because not even its header could be written).
   */
  note?: string | null;
}

/** The first line of an asciicast v2 file. */
export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix seconds. */
  timestamp: number;
  env: { TERM: string };
  title: string;
}

/** Output, input, resize ("COLSxROWS"), and marker events, as `[seconds, code, data]`. */
export type AsciicastEvent = [number, 'o' | 'i' | 'r' | 'm', string];

/** One line of a cast as JSON text (no newline). Times have microsecond precision, as asciinema writes. */
export const asciicastEventLine = (seconds: number, code: AsciicastEvent[1], data: string): string => JSON.stringify([Math.round(seconds * 1e6) / 1e6, code, data]);

export type AsciicastLine = { kind: 'header'; header: AsciicastHeader } | { kind: 'event'; event: AsciicastEvent };

/** Parses one line of a cast; undefined for anything that is neither a v2 header nor an event. Never throws. */
export function parseAsciicastLine(line: string): AsciicastLine | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (Array.isArray(v)) {
    const [t, code, data] = v as unknown[];
    if (v.length !== 3 || typeof t !== 'number' || !Number.isFinite(t) || typeof data !== 'string') return undefined;
    if (code !== 'o' && code !== 'i' && code !== 'r' && code !== 'm') return undefined;
    return { kind: 'event', event: [t, code, data] };
  }
  if (typeof v === 'object' && v !== null && (v as { version?: unknown }).version === 2) {
    const h = v as Partial<AsciicastHeader>;
    if (typeof h.width !== 'number' || typeof h.height !== 'number') return undefined;
    return { kind: 'header', header: { version: 2, width: h.width, height: h.height, timestamp: Number(h.timestamp ?? 0), env: { TERM: h.env?.TERM ?? 'xterm-256color' }, title: String(h.title ?? '') } };
  }
  return undefined;
}

/** `"COLSxROWS"` of a resize event; undefined when malformed. */
export function parseResize(data: string): { cols: number; rows: number } | undefined {
  const m = /^(\d{1,4})x(\d{1,4})$/.exec(data);
  return m ? { cols: Number(m[1]), rows: Number(m[2]) } : undefined;
}

/** Close code and reason of the live-watch WebSocket when the watched session ends. */
export const LIVE_WATCH_ENDED = { code: 1000, reason: 'The session ended.' } as const;
