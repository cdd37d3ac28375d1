/**
 * Idle timeout and maximum session length (design 0005, "Limits"), for any relay that can say how many
 * bytes the user has sent: activity is *user input* (SSH data frames, RDP bytes from the browser), never
 * pings, acks or resizes, and never output. The watch polls that counter instead of hooking the relay, so
 * SSH and RDP share it and neither relay changes.
 */

export interface SessionLimits {
  /** Close after this long without input; null = never. */
  idleTimeoutMs: number | null;
  /** Close after this long in all; null = no limit. */
  maxDurationMs: number | null;
}

/** Defaults of a bastion host: 20 minutes idle (Azure has none; Warpgate uses 5, Guacamole 60), no maximum. */
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 20;
export const DEFAULT_MAX_SESSION_MINUTES = 0;
/** The warning comes this long before an idle or maximum-length close (half the limit if that is shorter). */
export const WARN_BEFORE_MS = 60_000;

export type LimitReason = 'idle_timeout' | 'max_duration';

/** A bastion host's `idleTimeoutMinutes` / `maxSessionMinutes` (0 or absent = defaults above; 0 = off). */
export function limitsFromProperties(props: { idleTimeoutMinutes?: unknown; maxSessionMinutes?: unknown } | undefined): SessionLimits {
  const minutes = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : dflt);
  const idle = minutes(props?.idleTimeoutMinutes, DEFAULT_IDLE_TIMEOUT_MINUTES);
  const max = minutes(props?.maxSessionMinutes, DEFAULT_MAX_SESSION_MINUTES);
  return { idleTimeoutMs: idle > 0 ? Math.round(idle * 60_000) : null, maxDurationMs: max > 0 ? Math.round(max * 60_000) : null };
}

/** "1 minute", "20 minutes", "6 seconds": what the warning and the close message say. */
export function durationText(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) {
    const m = ms / 60_000;
    return `${m} minute${m === 1 ? '' : 's'}`;
  }
  const s = Math.max(1, Math.round(ms / 1000));
  return `${s} second${s === 1 ? '' : 's'}`;
}

export const idleWarning = (leadMs: number): string => `You will be disconnected in ${durationText(leadMs)} because the session is idle. Press any key to stay connected.`;
export const maxWarning = (leadMs: number, maxMs: number): string =>
  `You will be disconnected in ${durationText(leadMs)}: sessions through this bastion last at most ${durationText(maxMs)}.`;

export interface LimitWatchOptions {
  limits: SessionLimits;
  /** Bytes of user input so far; any change counts as activity. */
  inputBytes: () => number;
  /** Shows a notice to the user; '' clears it (SSH `notice`; RDP has no channel for it). */
  notify: (message: string) => void;
  /** Ends the session (called once; the watch has stopped by then). */
  expire: (reason: LimitReason, message: string) => void;
  /** True once the session ended another way: the watch then stops by itself. */
  ended?: () => boolean;
  now?: () => number;
  /** How often the counter is read; default min(1 s, the shortest limit / 20). */
  pollMs?: number;
}

/** Starts watching; `dispose()` stops it (call it when the session ends). Nothing runs without limits. */
export function watchLimits(opts: LimitWatchOptions): { dispose(): void } {
  const { idleTimeoutMs, maxDurationMs } = opts.limits;
  if (idleTimeoutMs === null && maxDurationMs === null) return { dispose: () => undefined };
  const now = opts.now ?? Date.now;
  const lead = (limit: number): number => Math.min(WARN_BEFORE_MS, limit / 2);
  const start = now();
  let lastActivity = start;
  let lastBytes = opts.inputBytes();
  let idleWarned = false;
  let maxWarned = false;
  let stopped = false;

  const stop = (): void => {
    stopped = true;
    clearInterval(timer);
  };
  const expire = (reason: LimitReason, message: string): void => {
    stop();
    opts.expire(reason, message);
  };
  const tick = (): void => {
    if (stopped) return;
    if (opts.ended?.()) return stop();
    const t = now();
    const bytes = opts.inputBytes();
    if (bytes !== lastBytes) {
      lastBytes = bytes;
      lastActivity = t;
      if (idleWarned) {
        idleWarned = false;
        // Input keeps the session: the warning goes (unless the maximum-length warning still stands).
        opts.notify(maxWarned && maxDurationMs !== null ? maxWarning(Math.max(0, start + maxDurationMs - t), maxDurationMs) : '');
      }
    }
    if (maxDurationMs !== null) {
      if (t - start >= maxDurationMs) return expire('max_duration', `The session reached the maximum length of ${durationText(maxDurationMs)} set on this bastion.`);
      if (!maxWarned && t - start >= maxDurationMs - lead(maxDurationMs)) {
        maxWarned = true;
        opts.notify(maxWarning(lead(maxDurationMs), maxDurationMs));
      }
    }
    if (idleTimeoutMs !== null) {
      const idle = t - lastActivity;
      if (idle >= idleTimeoutMs) return expire('idle_timeout', `The session was closed after ${durationText(idleTimeoutMs)} without input.`);
      if (!idleWarned && idle >= idleTimeoutMs - lead(idleTimeoutMs)) {
        idleWarned = true;
        opts.notify(idleWarning(lead(idleTimeoutMs)));
      }
    }
  };
  const shortest = Math.min(idleTimeoutMs ?? Infinity, maxDurationMs ?? Infinity);
  const timer = setInterval(tick, opts.pollMs ?? Math.max(50, Math.min(1000, shortest / 20)));
  timer.unref();
  return { dispose: stop };
}
