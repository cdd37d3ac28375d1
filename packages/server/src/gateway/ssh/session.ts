import type { Client, ClientChannel } from 'ssh2';
import { sshErrors, type SshError } from './errors.js';
import { AckWindow, type FlowControlOptions } from './flow-control.js';
import { SilenceWatch } from './silence-watch.js';

/** Why a session ended; delivered once to every `onClose` listener. */
export type SshEndReason =
  /** The consumer called close(). */
  | { kind: 'closed_by_client' }
  /** The remote shell ended (exit status or signal when the server reported one). */
  | { kind: 'exited'; exitCode: number | null; signal: string | null }
  /** The connection failed after the session was open (keepalive timeout, reset, …). */
  | { kind: 'error'; error: SshError };

export interface SshHostKeyInfo {
  keyType: string;
  fingerprint: string;
}

/**
 * A live PTY shell on a VM. Output is delivered through `onData` and must be acknowledged with `ack(bytes)`
 * once the consumer has passed it on (e.g. the browser confirmed it): reading from the SSH channel pauses
 * while more than `highWaterMark` bytes are unacknowledged. Input (`write`) is never held back by that, so
 * Ctrl-C still reaches the VM during a flood.
 */
export interface SshSession {
  readonly hostKey: SshHostKeyInfo;
  /** Bytes received from the VM (terminal output). */
  readonly bytesIn: number;
  /** Bytes sent to the VM (terminal input). */
  readonly bytesOut: number;
  /** Output delivered but not yet acknowledged. */
  readonly unackedBytes: number;
  /** The largest unacknowledged backlog so far. */
  readonly maxUnackedBytes: number;
  readonly highWaterMark: number;
  readonly closed: boolean;
  /** Output starts flowing when the first listener is added (nothing is lost before that). */
  onData(cb: (chunk: Buffer) => void): void;
  /** Called once; a listener added after the end is called on the next tick. */
  onClose(cb: (reason: SshEndReason) => void): void;
  /** Sends input; returns false when the SSH channel's write buffer is full (the caller should slow down). */
  write(data: Buffer | string): boolean;
  resize(cols: number, rows: number): void;
  ack(bytes: number): void;
  /**
   * Holds output (reading from the channel) for a reason outside the ack window, e.g. the WebSocket's send
   * buffer is full; output resumes once neither this hold nor the ack window asks for a pause.
   */
  holdOutput(held: boolean): void;
  /**
   * The VM stopped answering (nothing from its socket, not even a keepalive answer, for `unresponsiveAfterMs`)
   * or answers again. Absent when the session was opened without its socket (tests).
   */
  onResponding(cb: (responding: boolean, silentMs: number) => void): void;
  /** Input written since the VM last sent anything: not known to have arrived while it is not responding. */
  readonly unconfirmedInputBytes: number;
  readonly responding: boolean;
  close(): void;
}

/** What the session watches for signs of life: the VM's TCP socket (every byte ssh2 receives). */
export interface VmLiveness {
  socket: { on(event: 'data', cb: (chunk: Buffer) => void): unknown; off(event: 'data', cb: (chunk: Buffer) => void): unknown };
  /** Silent this long (ms) → `onResponding(false)`; more than the keepalive interval plus an answer's time. */
  unresponsiveAfterMs: number;
}

/** How long close() waits for a polite SSH disconnect before destroying the socket. */
const CLOSE_GRACE_MS = 2000;

export class SshShellSession implements SshSession {
  private readonly window: AckWindow;
  private readonly dataListeners: ((chunk: Buffer) => void)[] = [];
  private readonly closeListeners: ((reason: SshEndReason) => void)[] = [];
  private endReason: SshEndReason | undefined;
  private exit: { exitCode: number | null; signal: string | null } | undefined;
  private pendingError: SshError | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private clientClosed = false;
  private _bytesIn = 0;
  private _bytesOut = 0;
  private held = false;
  private channelPaused = false;
  private readonly respondingListeners: ((responding: boolean, silentMs: number) => void)[] = [];
  private readonly silence: SilenceWatch | undefined;
  private readonly heard = (): void => this.silence?.heard();

  constructor(
    private readonly client: Client,
    private readonly channel: ClientChannel,
    readonly hostKey: SshHostKeyInfo,
    private readonly target: { host: string; port: number },
    flow: FlowControlOptions,
    private readonly liveness?: VmLiveness,
  ) {
    this.window = new AckWindow(flow);
    if (liveness) {
      this.silence = new SilenceWatch({
        afterMs: liveness.unresponsiveAfterMs,
        onChange: (responding, silentMs) => {
          for (const cb of this.respondingListeners) cb(responding, silentMs);
        },
      });
      liveness.socket.on('data', this.heard);
    }
    channel.on('exit', (code: number | null, signal?: string | null) => {
      this.exit = { exitCode: typeof code === 'number' ? code : null, signal: signal ?? null };
    });
    channel.on('close', () => this.finish());
    channel.on('error', (err: Error) => (this.pendingError ??= sshErrors.network(target.host, target.port, err)));
    channel.stderr.on('error', () => undefined);
    client.on('error', (err: Error & { level?: string }) => {
      this.pendingError ??=
        err.level === 'client-timeout' ? sshErrors.keepaliveTimeout(target.host, target.port, err) : sshErrors.closed(target.host, target.port, err);
    });
    client.on('close', () => {
      this.clientClosed = true;
      clearTimeout(this.graceTimer);
      this.finish();
    });
  }

  get bytesIn(): number {
    return this._bytesIn;
  }
  get bytesOut(): number {
    return this._bytesOut;
  }
  get unackedBytes(): number {
    return this.window.unacked;
  }
  get maxUnackedBytes(): number {
    return this.window.maxUnacked;
  }
  get highWaterMark(): number {
    return this.window.highWaterMark;
  }
  get closed(): boolean {
    return this.endReason !== undefined;
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.dataListeners.push(cb);
    if (this.dataListeners.length === 1) {
      // Attaching 'data' listeners switches the streams to flowing mode: only now, so no output is lost.
      this.channel.on('data', this.deliver);
      this.channel.stderr.on('data', this.deliver);
    }
  }

  onClose(cb: (reason: SshEndReason) => void): void {
    const reason = this.endReason;
    if (reason) setImmediate(() => cb(reason));
    else this.closeListeners.push(cb);
  }

  write(data: Buffer | string): boolean {
    if (this.endReason || !this.channel.writable) return false;
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this._bytesOut += buf.length;
    this.silence?.wrote(buf.length);
    return this.channel.write(buf);
  }

  resize(cols: number, rows: number): void {
    if (this.endReason) return;
    const c = clampDim(cols);
    const r = clampDim(rows);
    this.channel.setWindow(r, c, 0, 0);
  }

  ack(bytes: number): void {
    this.window.ack(bytes);
    this.syncFlow();
  }

  holdOutput(held: boolean): void {
    this.held = held;
    this.syncFlow();
  }

  onResponding(cb: (responding: boolean, silentMs: number) => void): void {
    this.respondingListeners.push(cb);
  }

  get unconfirmedInputBytes(): number {
    return this.silence?.unconfirmedInput ?? 0;
  }

  get responding(): boolean {
    return this.silence?.responding ?? true;
  }

  close(): void {
    if (this.endReason) return;
    this.finish({ kind: 'closed_by_client' });
  }

  private readonly deliver = (chunk: Buffer): void => {
    this._bytesIn += chunk.length;
    this.window.delivered(chunk.length);
    this.syncFlow();
    for (const cb of this.dataListeners) cb(chunk);
  };

  /** Pauses the channel while the ack window or a hold asks for it; resumes when neither does. */
  private syncFlow(): void {
    const pause = this.window.paused || this.held;
    if (pause === this.channelPaused || (!pause && this.endReason)) return;
    this.channelPaused = pause;
    if (pause) {
      this.channel.pause();
      this.channel.stderr.pause();
    } else {
      this.channel.resume();
      this.channel.stderr.resume();
    }
  }

  /** Ends the session once: tells the listeners, then releases the channel, the client and the timer. */
  private finish(forced?: SshEndReason): void {
    if (this.endReason) return;
    const reason: SshEndReason =
      forced ??
      (this.exit
        ? { kind: 'exited', ...this.exit }
        : { kind: 'error', error: this.pendingError ?? sshErrors.closed(this.target.host, this.target.port) });
    this.endReason = reason;
    this.silence?.stop();
    this.liveness?.socket.off('data', this.heard);
    this.channel.off('data', this.deliver);
    this.channel.stderr.off('data', this.deliver);
    try {
      this.channel.close();
    } catch {
      // already closed
    }
    if (!this.clientClosed) {
      this.client.end();
      // A polite disconnect first; the socket is destroyed if the VM does not answer (cleared on 'close').
      this.graceTimer = setTimeout(() => this.client.destroy(), CLOSE_GRACE_MS);
      this.graceTimer.unref();
    }
    const listeners = this.closeListeners.splice(0);
    for (const cb of listeners) cb(reason);
  }
}

const clampDim = (n: number): number => (Number.isFinite(n) ? Math.min(1000, Math.max(1, Math.floor(n))) : 80);
