/** Text for the Sessions and Audit log tables. Pure functions. */

/** 1536 → "1.5 KB" (1024-based, as bytes on a wire are usually shown). */
export function bytesText(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A duration in milliseconds as "45 s", "12 min", "2 h 05 min". */
export function durationText(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Azure's `sessionDurationInMins` as text. */
export const minutesText = (minutes: number): string => durationText(minutes * 60_000);

/** Connection record end reasons in words (the raw reason stays in the export). */
export const END_REASON_TEXT: Record<string, string> = {
  exited: 'Shell exited',
  client_closed: 'Closed by the user',
  remote_closed: 'Closed by the VM',
  keepalive_timeout: 'Connection lost',
  terminated: 'Disconnected by an administrator',
  server_shutdown: 'Bastion shut down',
  protocol_error: 'Protocol error',
  idle_timeout: 'Idle timeout',
  max_duration: 'Maximum length reached',
  failed: 'Failed',
  interrupted: 'Interrupted (bastion restarted)',
};
