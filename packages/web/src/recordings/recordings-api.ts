import { parseAsciicastLine, type AsciicastLine, type RecordingInfo } from '../../../protocol/src/recordings.js';
import type { BastionApi } from '../api/bastion-api.js';

/** The recordings endpoints (design 0006; docs/api-and-config.md, "Recordings"). */
export const listRecordings = async (api: BastionApi, limit = 200): Promise<RecordingInfo[]> =>
  (await api.client.get<{ value: RecordingInfo[] }>(`/api/recordings?limit=${limit}`)).value;

export const getRecording = (api: BastionApi, sessionId: string): Promise<RecordingInfo> => api.client.get<RecordingInfo>(`/api/recordings/${encodeURIComponent(sessionId)}`);

const base = (sessionId: string): string => `/api/recordings/${encodeURIComponent(sessionId)}`;
/** The file for the player (audited as viewed). */
export const playUrl = (sessionId: string): string => `${base(sessionId)}/play`;
/** The file as an attachment (audited as downloaded). */
export const downloadUrl = (sessionId: string): string => `${base(sessionId)}/download`;
/** The live-watch WebSocket on this origin. */
export const liveWatchUrl = (sessionId: string, location: Pick<Location, 'protocol' | 'host'>): string =>
  `${location.protocol === 'http:' ? 'ws' : 'wss'}://${location.host}${base(sessionId)}/live`;

/**
 * Splits the live socket's text frames into cast lines. The server sends whole lines, but a line is only
 * parsed once its newline arrived, so a frame boundary anywhere is harmless. Malformed lines are skipped.
 */
export class CastLineReader {
  private rest = '';

  push(text: string): AsciicastLine[] {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    const out: AsciicastLine[] = [];
    for (const line of lines) {
      const parsed = line.trim() ? parseAsciicastLine(line) : undefined;
      if (parsed) out.push(parsed);
    }
    return out;
  }
}

/** "1.2 MB" style sizes for the list. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** "1 h 02 min", "3 min 05 s", "12 s"; null end: still running. */
export function durationText(start: string, end: string | null, now = Date.now()): string {
  const ms = Math.max(0, (end ? Date.parse(end) : now) - Date.parse(start));
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}
