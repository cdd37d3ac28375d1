import type { BastionAuditStart } from '../../../protocol/src/bastion-audit-log.js';
import { Histogram, LabelledCounter } from '../metrics/prometheus.js';

/**
 * The registry of connections in progress (SSH today, RDP and tunnels later): what the bastion must end,
 * and record as ended, before it stops. Each entry ends its own connection; the registry only holds them.
 */

/** Flow-control figures of a live relay, for tests and diagnostics. */
export interface LiveSessionStats {
  /** Bytes relayed browser → VM and VM → browser so far. */
  bytesIn: number;
  bytesOut: number;
  /** The largest VM output backlog not yet acknowledged by the browser. */
  maxUnackedBytes: number;
  /** The largest WebSocket send buffer seen (bytes queued toward a slow network). */
  maxBufferedAmount: number;
}

/** Why the bastion itself ends a session it was asked to (besides a shutdown). */
export type ServerEndReason = 'terminated' | 'idle_timeout' | 'max_duration';

export interface LiveSession {
  readonly sessionId: string;
  readonly protocol: 'ssh' | 'rdp' | 'tunnel';
  /** The connection record's start fields: who, from where, to which VM through which bastion (Sessions page). */
  readonly info: BastionAuditStart;
  /** Ends the connection as 'server_shutdown'; resolves once its record is written. */
  shutdown(): Promise<void>;
  /**
   * Ends the connection with `reason` (an administrator's disconnect, a limit), showing `message` to the user
   * where the protocol can (SSH `closed`; RDP only gets a WebSocket close); resolves once its record is written.
   */
  terminate(reason: ServerEndReason, message: string): Promise<void>;
  /** Undefined until the relay runs (while connecting). */
  stats(): LiveSessionStats | undefined;
}

/**
 * How often live connections' byte counters and last-seen time reach the database (`persistTo`): a crash
 * loses at most this much of a row's figures and of its end time. One UPDATE per tick for all sessions.
 */
export const LIVE_PERSIST_MS = 2000;

/** Where `persistTo` writes (ConnectionLog.touchLive). */
export interface LiveFiguresSink {
  touchLive(live: Array<{ sessionId: string; bytesIn?: number; bytesOut?: number }>, at: Date): Promise<void>;
}

/** Buckets of the connect-latency histogram, in seconds (an SSH handshake on a LAN takes ~0.1–0.5 s). */
export const CONNECT_SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export class LiveSessions {
  private readonly sessions = new Map<string, LiveSession>();
  private _closing = false;
  /** Bytes of the connections that ended (live ones are added from their stats at scrape time). */
  readonly endedBytes = new LabelledCounter<'protocol' | 'direction'>(['protocol', 'direction']);
  /** Ticket/token redeemed → ready, per protocol (metrics: bastion_connect_duration_seconds). */
  readonly connectSeconds = new Histogram(CONNECT_SECONDS_BUCKETS, 'protocol');
  /** The period of `persistTo` (config `sessions.persistSeconds`). */
  readonly persistMs: number;

  constructor(opts: { persistMs?: number | undefined } = {}) {
    this.persistMs = opts.persistMs ?? LIVE_PERSIST_MS;
  }

  /** Registers a connection; the returned function unregisters it (call it when the connection ended). */
  add(session: LiveSession): () => void {
    this.sessions.set(session.sessionId, session);
    let counted = false;
    return () => {
      if (this.sessions.get(session.sessionId) === session) this.sessions.delete(session.sessionId);
      if (counted) return;
      counted = true;
      const stats = session.stats();
      if (stats) {
        this.endedBytes.inc({ protocol: session.protocol, direction: 'in' }, stats.bytesIn);
        this.endedBytes.inc({ protocol: session.protocol, direction: 'out' }, stats.bytesOut);
      }
    };
  }

  /** Records how long a connection took from its ticket's redemption to `ready`. */
  observeConnect(protocol: LiveSession['protocol'], seconds: number): void {
    this.connectSeconds.observe(protocol, seconds);
  }

  get(sessionId: string): LiveSession | undefined {
    return this.sessions.get(sessionId);
  }

  list(): LiveSession[] {
    return [...this.sessions.values()];
  }

  get size(): number {
    return this.sessions.size;
  }

  /** True once shutdown() began: new connections are refused from then on. */
  get closing(): boolean {
    return this._closing;
  }

  /**
   * Every `everyMs`, writes every live connection's counters and a last-seen time in one batched statement
   * (`sink.touchLive`), so that a crash leaves true figures and an end time at most `everyMs` early. A tick
   * waits for the previous one (a slow database is not queued up); a failed write is reported and retried
   * at the next tick. The timer is unref'd; the returned function stops it.
   */
  persistTo(sink: LiveFiguresSink, onError: (err: unknown) => void, everyMs = this.persistMs): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.sessions.size === 0) return;
      busy = true;
      const figures = this.list().map((s) => {
        const stats = s.stats();
        return stats ? { sessionId: s.sessionId, bytesIn: stats.bytesIn, bytesOut: stats.bytesOut } : { sessionId: s.sessionId };
      });
      void sink
        .touchLive(figures, new Date())
        .catch(onError)
        .finally(() => (busy = false));
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Ends every connection (server shutdown) and waits until their records are written. */
  async shutdown(): Promise<void> {
    this._closing = true;
    const all = this.list();
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.shutdown()));
  }
}
