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

export interface LiveSession {
  readonly sessionId: string;
  readonly protocol: 'ssh' | 'rdp' | 'tunnel';
  /** Ends the connection as 'server_shutdown'; resolves once its record is written. */
  shutdown(): Promise<void>;
  /** Undefined until the relay runs (while connecting). */
  stats(): LiveSessionStats | undefined;
}

export class LiveSessions {
  private readonly sessions = new Map<string, LiveSession>();
  private _closing = false;

  /** Registers a connection; the returned function unregisters it (call it when the connection ended). */
  add(session: LiveSession): () => void {
    this.sessions.set(session.sessionId, session);
    return () => {
      if (this.sessions.get(session.sessionId) === session) this.sessions.delete(session.sessionId);
    };
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

  /** Ends every connection (server shutdown) and waits until their records are written. */
  async shutdown(): Promise<void> {
    this._closing = true;
    const all = this.list();
    this.sessions.clear();
    await Promise.allSettled(all.map((s) => s.shutdown()));
  }
}
