import { decodeClientFrame, encodeDataFrames, encodeServerControl, MAX_FRAME, WS_CLOSE, type CloseReason, type ServerControlMessage, type SshWireErrorCode } from '../../../../protocol/src/ssh-messages.js';
import type { SshErrorCode } from './errors.js';
import { SshError } from './errors.js';
import type { SshSession } from './session.js';
import { WS_OPEN as OPEN, type GatewayWebSocket } from '../ws-socket.js';
import { closeReason, CoalescedReply, MessageBudget, onClientProtocolError } from '../ws-bounds.js';

/** The shared gateway socket plus what the SSH relay also uses: text frames, `terminate` and `drain`. */
export interface RelaySocket extends GatewayWebSocket {
  send(data: string | Uint8Array, cb?: (err?: Error) => void): void;
  terminate(): void;
  on(event: 'message', cb: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', cb: (code: number, reason: Buffer) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
  on(event: 'drain', cb: () => void): unknown;
}

/** The gateway's SshError codes onto the wire's (design 0003, "Error codes"). */
export function wireErrorCode(code: SshErrorCode): SshWireErrorCode {
  switch (code) {
    case 'auth_failed':
    case 'bad_passphrase':
    case 'bad_key':
    case 'unreachable':
    case 'refused':
    case 'host_key_changed':
    case 'closed':
      return code;
    case 'passphrase_required':
      return 'bad_passphrase';
    case 'handshake_timeout':
    case 'dns_failed':
    case 'network':
      return 'unreachable';
    case 'host_key_rejected':
      return 'host_key_changed';
    case 'keepalive_timeout':
      return 'closed';
    case 'shell_failed':
      return 'internal';
    default:
      return 'internal';
  }
}

export function sendControl(ws: RelaySocket, message: ServerControlMessage): void {
  if (ws.readyState === OPEN) ws.send(encodeServerControl(message));
}

/** Sends `error` then closes the socket with `closeCode`. */
export function failSocket(ws: RelaySocket, code: SshWireErrorCode, message: string, closeCode: number = WS_CLOSE.POLICY_VIOLATION): void {
  sendControl(ws, { type: 'error', code, message });
  if (ws.readyState === OPEN) ws.close(closeCode);
}

/** An SshError (or anything else) as an `error` message and a close. */
export function failWithError(ws: RelaySocket, err: unknown): void {
  if (err instanceof SshError) failSocket(ws, wireErrorCode(err.code), err.message, WS_CLOSE.NORMAL);
  else failSocket(ws, 'internal', 'Internal error.', WS_CLOSE.INTERNAL_ERROR);
}

/** Bytes relayed, in the connection record's terms: `bytesIn` browser → VM, `bytesOut` VM → browser. */
export interface RelayTotals {
  bytesIn: number;
  bytesOut: number;
}

export interface RelayStats extends RelayTotals {
  maxUnackedBytes: number;
  maxBufferedAmount: number;
}

export interface RelayOptions {
  /** Closes the session after this long without any frame from the browser. Default 60 s. */
  idleTimeoutMs?: number;
  /**
   * Holds VM output while the WebSocket's send buffer (`bufferedAmount`) is above this. Default 1 MiB: above
   * the ack window (256 KiB), so it only acts when a client acks bytes it has not received yet.
   */
  maxBufferedBytes?: number;
  /** …and releases it once the buffer is at or below this. Default 256 KiB. */
  resumeBufferedBytes?: number;
  /**
   * Control messages a client may send (pings, resizes, acks of nothing), sustained per second and in one
   * burst; more closes the session as `protocol_error`. Acks of new bytes are not counted: they are bounded
   * by the output sent. Defaults 50/s, burst 500 (the web client sends a ping per 20 s and ≤ 10 resizes/s).
   */
  controlPerSecond?: number;
  controlBurst?: number;
  /** Clock for the control budget (ms). */
  now?: () => number;
  /** Called once, with why the session ended and how many bytes went each way. */
  onEnd?: (reason: CloseReason, totals: RelayTotals) => void;
  /** Taps for the session recording (design 0006): VM output as relayed, browser input, terminal size. */
  onOutput?: (chunk: Uint8Array) => void;
  onInput?: (chunk: Uint8Array) => void;
  onResize?: (cols: number, rows: number) => void;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
export const DEFAULT_RESUME_BUFFERED_BYTES = 256 * 1024;
export const DEFAULT_CONTROL_PER_SECOND = 50;
export const DEFAULT_CONTROL_BURST = 500;

/** What the owner of a relay can do with it. */
export interface RelayHandle {
  /** Ends the session from the server side (e.g. 'server_shutdown'): `closed` to the browser, then close. */
  end(reason: CloseReason, message: string): void;
  stats(): RelayStats;
}

/**
 * Relays an open SSH session over a WebSocket (after `ready` was sent): VM output → binary data frames,
 * browser data frames → session input, `resize`/`ack`/`ping` controls. Either side's end disposes both.
 * Memory toward the browser is bounded twice: by the ack window inside the session, and by the socket's
 * send buffer (a client that acks what it has not read cannot make the bastion queue more).
 */
export function relaySshSession(ws: RelaySocket, session: SshSession, opts: RelayOptions = {}): RelayHandle {
  const idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const resumeBuffered = opts.resumeBufferedBytes ?? DEFAULT_RESUME_BUFFERED_BYTES;
  let ended = false;
  let idle: NodeJS.Timeout | undefined;
  let sent = 0;
  let acked = 0;
  let received = 0;
  let held = false;
  let maxBufferedAmount = 0;
  const budget = new MessageBudget(opts.controlPerSecond ?? DEFAULT_CONTROL_PER_SECOND, opts.controlBurst ?? DEFAULT_CONTROL_BURST);
  const now = opts.now ?? (() => performance.now());
  // One pong in flight at most: a client that pings without reading gets one answer queued, not millions.
  const pong = new CoalescedReply<number>(
    (t, done) => ws.send(encodeServerControl({ type: 'pong', t }), () => done()),
    () => !ended && ws.readyState === OPEN,
  );

  const totals = (): RelayTotals => ({ bytesIn: received, bytesOut: sent });
  // Input written after the VM stopped answering is not known to have arrived: not counted as delivered.
  const undelivered = (): number => (session.responding ? 0 : Math.min(received, session.unconfirmedInputBytes));
  const finish = (reason: CloseReason): void => {
    ended = true;
    clearTimeout(idle);
    const lost = undelivered();
    session.close();
    opts.onEnd?.(reason, { bytesIn: received - lost, bytesOut: sent });
  };
  const end = (reason: CloseReason, message: string, closeCode: number): void => {
    if (ended) return;
    ended = true; // before close(): the socket's 'close' must not count as the browser leaving
    const lost = undelivered();
    const full = lost > 0 ? `${message} ${lost} byte${lost === 1 ? '' : 's'} typed after the VM stopped answering ${lost === 1 ? 'was' : 'were'} not delivered.` : message;
    sendControl(ws, { type: 'closed', reason, message: full });
    if (ws.readyState === OPEN) ws.close(closeCode, reason === 'protocol_error' ? closeReason(message) : undefined);
    finish(reason);
  };
  const protocolError = (message: string, closeCode: number = WS_CLOSE.PROTOCOL_ERROR): void => end('protocol_error', message, closeCode);
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => end('keepalive_timeout', `No message from the browser for ${Math.round(idleTimeoutMs / 1000)} s.`, WS_CLOSE.GOING_AWAY), idleTimeoutMs);
    idle.unref();
  };
  touch();

  // Called after each frame leaves the send buffer: releases the hold once the buffer has drained enough.
  const onFlushed = (): void => {
    if (held && (ended || ws.bufferedAmount <= resumeBuffered)) {
      held = false;
      session.holdOutput(false);
    }
  };

  // VM → browser. The AckWindow inside the session pauses the channel above its high-water mark.
  session.onData((chunk) => {
    if (ended || ws.readyState !== OPEN) return;
    sent += chunk.length;
    opts.onOutput?.(chunk);
    for (const frame of encodeDataFrames(chunk)) ws.send(frame, onFlushed);
    const buffered = ws.bufferedAmount;
    if (buffered > maxBufferedAmount) maxBufferedAmount = buffered;
    if (!held && buffered > maxBuffered) {
      held = true;
      session.holdOutput(true);
    }
  });

  session.onClose((reason) => {
    if (reason.kind === 'closed_by_client') return end('client_closed', 'The session was closed.', WS_CLOSE.NORMAL);
    if (reason.kind === 'exited') {
      const how = reason.exitCode !== null ? `with status ${reason.exitCode}` : reason.signal ? `on signal ${reason.signal}` : '';
      return end('exited', `The shell exited${how ? ` ${how}` : ''}.`, WS_CLOSE.NORMAL);
    }
    if (reason.error.code === 'keepalive_timeout') return end('keepalive_timeout', reason.error.message, WS_CLOSE.GOING_AWAY);
    return end('remote_closed', reason.error.message, WS_CLOSE.NORMAL);
  });

  // A VM that stops answering is shown within seconds, not after the minute ssh2 waits before giving up.
  session.onResponding((responding, silentMs) => {
    if (ended) return;
    const message = responding
      ? ''
      : `The VM is not responding (nothing received for ${Math.round(silentMs / 1000)} s). What you type is kept and sent when it answers; the session ends if it does not answer within a minute.`;
    sendControl(ws, { type: 'vm_status', responding, message });
  });

  // An oversized or invalid-UTF-8 frame (ws refuses it before we see it): named, and recorded as such.
  onClientProtocolError(ws, MAX_FRAME, (err) => protocolError(err.message, err.closeCode));

  let inputPaused = false;
  // Browser → VM.
  ws.on('message', (raw, isBinary) => {
    if (ended) return;
    touch();
    const bytes = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    const decoded = decodeClientFrame(isBinary ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes.toString('utf8'));
    if (!decoded.ok) return protocolError(decoded.error.message, decoded.error.code === 'frame_too_large' ? WS_CLOSE.MESSAGE_TOO_BIG : WS_CLOSE.PROTOCOL_ERROR);
    const m = decoded.message;
    // Acks of new bytes are bounded by the output sent; every other control message spends the budget.
    if (m.type !== 'data' && !(m.type === 'ack' && m.bytes > 0) && !budget.take(now())) {
      return protocolError(`Too many control messages: more than ${budget.perSecond} a second. The bastion closed the session.`, WS_CLOSE.POLICY_VIOLATION);
    }
    switch (m.type) {
      case 'data': {
        received += m.data.byteLength;
        opts.onInput?.(m.data);
        const ok = session.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        if (!ok && !session.closed && !inputPaused) {
          // Back-pressure toward the browser; resumed shortly (the channel drains quickly for small input).
          inputPaused = true;
          ws.pause();
          setTimeout(() => {
            inputPaused = false;
            if (!ended) ws.resume();
          }, 20).unref();
        }
        return;
      }
      case 'resize':
        opts.onResize?.(m.cols, m.rows);
        return session.resize(m.cols, m.rows);
      case 'ack':
        if (acked + m.bytes > sent) return protocolError('ack beyond the bytes sent.');
        acked += m.bytes;
        return session.ack(m.bytes);
      case 'ping':
        return pong.request(m.t);
    }
  });
  ws.on('close', () => {
    if (!ended) finish('client_closed');
  });
  ws.on('error', () => undefined);

  return {
    end: (reason, message) => end(reason, message, reason === 'server_shutdown' ? WS_CLOSE.GOING_AWAY : WS_CLOSE.NORMAL),
    stats: () => ({ ...totals(), maxUnackedBytes: session.maxUnackedBytes, maxBufferedAmount }),
  };
}
