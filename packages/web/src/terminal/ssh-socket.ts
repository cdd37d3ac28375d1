import {
  type CloseReason,
  type ServerControlMessage,
  type SshWireErrorCode,
  decodeServerFrame,
  encodeClientControl,
  encodeDataFrames,
  encodeInputFrames,
  MAX_TERMINAL_DIMENSION,
  MIN_TERMINAL_DIMENSION,
  WS_CLOSE,
} from '../../../protocol/src/ssh-messages.js';

/** Browser `ping` interval (design 0003: every 20 s; the server gives up after 60 s of silence). */
export const PING_INTERVAL_MS = 20_000;

/** The part of the DOM WebSocket this class uses, so tests can inject a fake. */
export interface WebSocketLike {
  binaryType: BinaryType;
  readonly readyState: number;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

/** WebSocket.readyState values (the DOM constants, without needing the DOM). */
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export type SshReady = Extract<ServerControlMessage, { type: 'ready' }>;

/** An `error` event: from the server (its codes), or found here (a bad frame, a dropped connection). */
export interface SshSocketError {
  code: SshWireErrorCode | 'protocol_error' | 'connection_lost';
  message: string;
}

/** The session is over (emitted once): the server's close reason, or the error that ended it. */
export interface SshSocketEnd {
  reason: CloseReason | SshSocketError['code'];
  message: string;
}

export type SshSocketState = 'connecting' | 'open' | 'ready' | 'closed';

interface SshSocketEvents {
  data: Uint8Array;
  ready: SshReady;
  notice: string;
  /** The session is not being recorded although the bastion records sessions (the reason, for the user). */
  notRecorded: string;
  /** The VM stopped answering (the server's sentence) or answers again (empty string). */
  vmStatus: string;
  error: SshSocketError;
  closed: SshSocketEnd;
}

type Listener<T> = (value: T) => void;

export interface SshSocketOptions {
  /** Defaults to the browser's WebSocket. */
  createSocket?: WebSocketFactory;
  /** Clock for `ping.t` (defaults to performance.now). */
  now?: () => number;
  pingIntervalMs?: number;
}

/** Browser WebSocket.close() accepts only 1000 and 3000–4999; this app-range code marks a refused frame. */
export const CLOSE_PROTOCOL_ERROR = 4002;

/**
 * One browser-SSH WebSocket: decodes server frames (packages/protocol/src/ssh-messages.ts), emits typed
 * events and sends input, resizes and acks. Owns the socket and its ping timer; `dispose()` releases both.
 */
export class SshSocket {
  readonly #ws: WebSocketLike;
  readonly #now: () => number;
  readonly #listeners: { [K in keyof SshSocketEvents]: Set<Listener<SshSocketEvents[K]>> } = {
    data: new Set(),
    ready: new Set(),
    notice: new Set(),
    notRecorded: new Set(),
    vmStatus: new Set(),
    error: new Set(),
    closed: new Set(),
  };
  #state: SshSocketState = 'connecting';
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastError: SshSocketError | undefined;
  #size: { cols: number; rows: number } | undefined;
  #startPings: () => void = () => undefined;
  #sentSize: string | undefined;
  #disposed = false;

  constructor(url: string, options: SshSocketOptions = {}) {
    const create = options.createSocket ?? ((u: string) => new WebSocket(u));
    this.#now = options.now ?? (() => performance.now());
    const pingIntervalMs = options.pingIntervalMs ?? PING_INTERVAL_MS;
    this.#ws = create(url);
    this.#ws.binaryType = 'arraybuffer';
    this.#ws.onopen = () => {
      if (this.#state !== 'connecting') return;
      this.#state = 'open';
    };
    this.#startPings = () => {
      this.#pingTimer = setInterval(() => this.#sendControl({ type: 'ping', t: Math.max(0, this.#now()) }), pingIntervalMs);
    };
    this.#ws.onmessage = (event) => this.#onMessage(event.data);
    // The close event that always follows carries the outcome; an error event has no detail to show.
    this.#ws.onerror = () => undefined;
    this.#ws.onclose = (event) => {
      this.#stopTimers();
      if (this.#state === 'closed') return;
      const error = this.#lastError;
      if (error) this.#end({ reason: error.code, message: error.message });
      else {
        const detail = event.reason ? ` (${event.reason})` : event.code && event.code !== WS_CLOSE.NORMAL ? ` (code ${event.code})` : '';
        const message = `The connection to the bastion was lost${detail}.`;
        this.#emit('error', { code: 'connection_lost', message });
        this.#end({ reason: 'connection_lost', message });
      }
    };
  }

  get state(): SshSocketState {
    return this.#state;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof SshSocketEvents>(event: K, listener: Listener<SshSocketEvents[K]>): () => void {
    const set = this.#listeners[event] as Set<Listener<SshSocketEvents[K]>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Keyboard input (xterm's onData), UTF-8 encoded in data frames of at most MAX_FRAME bytes. False if not sent. */
  sendInput(text: string): boolean {
    if (!this.#canSend() || text.length === 0) return false;
    for (const frame of encodeInputFrames(text)) this.#ws.send(frame);
    return true;
  }

  /** Raw bytes (xterm's onBinary, e.g. X10 mouse reports), sent as they are. False if not sent. */
  sendBytes(bytes: Uint8Array): boolean {
    if (!this.#canSend() || bytes.length === 0) return false;
    for (const frame of encodeDataFrames(bytes)) this.#ws.send(frame);
    return true;
  }

  /** The terminal's size; clamped to the protocol's bounds, sent once open and again on change. */
  resize(cols: number, rows: number): void {
    this.#size = { cols: clampDimension(cols), rows: clampDimension(rows) };
    this.#sendSize();
  }

  /** Acknowledges `bytes` of output written to the terminal (see AckAccumulator). */
  ack(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) return;
    this.#sendControl({ type: 'ack', bytes });
  }

  /** The user's Disconnect: ends the session (one `closed`, reason `client_closed`), then closes the socket. */
  disconnect(): void {
    if (this.#disposed) return;
    this.#end({ reason: 'client_closed', message: 'You disconnected.' });
    this.dispose();
  }

  /** Closes the socket (if still open) and stops the timers; no events are emitted afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#state = 'closed';
    this.#stopTimers();
    for (const set of Object.values(this.#listeners)) set.clear();
    this.#ws.onopen = null;
    this.#ws.onmessage = null;
    this.#ws.onerror = null;
    this.#ws.onclose = null;
    this.#closeSocket(WS_CLOSE.NORMAL, 'client closed');
  }

  #onMessage(frame: unknown): void {
    if (this.#state === 'closed') return;
    const decoded =
      typeof frame === 'string' || frame instanceof ArrayBuffer || frame instanceof Uint8Array
        ? decodeServerFrame(frame)
        : ({ ok: false, error: { code: 'bad_frame', message: 'unexpected frame type' } } as const);
    if (!decoded.ok) {
      this.#fail({ code: 'protocol_error', message: `The bastion sent a malformed message: ${decoded.error.message}.` });
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'data':
        this.#emit('data', message.data);
        return;
      case 'ready':
        if (this.#state === 'open') {
          this.#state = 'ready';
          this.#startPings();
          // The server reads nothing before `ready` (it is still reaching the VM): the size goes now.
          this.#sendSize();
        }
        this.#emit('ready', message);
        return;
      case 'notice':
        this.#emit('notice', message.message);
        return;
      case 'recording':
        if (!message.recorded) this.#emit('notRecorded', message.message);
        return;
      case 'vm_status':
        this.#emit('vmStatus', message.responding ? '' : message.message);
        return;
      case 'pong':
        return;
      case 'error':
        // Fatal; the server closes next. Kept so the close reports it rather than "connection lost".
        this.#lastError = { code: message.code, message: message.message };
        this.#emit('error', this.#lastError);
        return;
      case 'closed':
        this.#end({ reason: message.reason, message: message.message || 'The session ended.' });
        this.#closeSocket(WS_CLOSE.NORMAL, 'session closed');
        return;
    }
  }

  /** A local protocol failure: report it, end the session and close the socket. */
  #fail(error: SshSocketError): void {
    this.#lastError = error;
    this.#emit('error', error);
    this.#end({ reason: error.code, message: error.message });
    this.#closeSocket(CLOSE_PROTOCOL_ERROR, 'protocol error');
  }

  #end(end: SshSocketEnd): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#stopTimers();
    this.#emit('closed', end);
  }

  #emit<K extends keyof SshSocketEvents>(event: K, value: SshSocketEvents[K]): void {
    for (const listener of [...this.#listeners[event]]) (listener as Listener<SshSocketEvents[K]>)(value);
  }

  /** Only after `ready`: until then the bastion is still reaching the VM and reads nothing from the browser. */
  #canSend(): boolean {
    return !this.#disposed && this.#state === 'ready' && this.#ws.readyState === OPEN;
  }

  #sendControl(message: Parameters<typeof encodeClientControl>[0]): void {
    if (this.#canSend()) this.#ws.send(encodeClientControl(message));
  }

  #sendSize(): void {
    if (!this.#size || !this.#canSend()) return;
    const key = `${this.#size.cols}x${this.#size.rows}`;
    if (key === this.#sentSize) return;
    this.#sentSize = key;
    this.#sendControl({ type: 'resize', ...this.#size });
  }

  #stopTimers(): void {
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
  }

  #closeSocket(code: number, reason: string): void {
    const state = this.#ws.readyState;
    if (state === CLOSING || state === CLOSED) return;
    try {
      this.#ws.close(code, reason);
    } catch {
      // Already closing: nothing to release.
    }
  }
}

function clampDimension(n: number): number {
  if (!Number.isFinite(n)) return MIN_TERMINAL_DIMENSION;
  return Math.min(MAX_TERMINAL_DIMENSION, Math.max(MIN_TERMINAL_DIMENSION, Math.round(n)));
}
