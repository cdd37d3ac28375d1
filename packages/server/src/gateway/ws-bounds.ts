/**
 * Bounds on what one WebSocket client can make the bastion hold (issue #13, finding 1): a reply that is
 * coalesced instead of queued, a budget of control messages per second, and the client's WebSocket-level
 * protocol errors (oversized frame, invalid UTF-8…) turned into a named end before `ws` closes the socket.
 * No timers here: the budget takes the time from its caller, so it is tested with a fake clock.
 */

/**
 * At most one reply in flight: while the previous one has not left the send buffer (its send callback has
 * not run), a new request only replaces the value waiting to go. A client that asks without reading gets
 * one answer queued, not one per question — the bastion's memory for replies stays one frame per client.
 */
export class CoalescedReply<T> {
  private inFlight = false;
  private waiting: { value: T } | undefined;
  /** How many requests were answered by a later reply instead of their own. */
  coalesced = 0;

  /** `send(value, done)` must call `done` once the reply has left (ws's send callback); `open` says it may send. */
  constructor(private readonly send: (value: T, done: () => void) => void, private readonly open: () => boolean) {}

  request(value: T): void {
    if (this.inFlight) {
      if (this.waiting) this.coalesced++;
      this.waiting = { value };
      return;
    }
    this.flush(value);
  }

  private flush(value: T): void {
    if (!this.open()) return;
    this.inFlight = true;
    this.send(value, () => {
      this.inFlight = false;
      const next = this.waiting;
      this.waiting = undefined;
      if (next) this.flush(next.value);
    });
  }
}

/**
 * A token bucket: `burst` messages at once, refilled at `perSecond`. `take` answers false once a client has
 * sent more than that — sustained, not one unlucky burst — and the caller closes it with a reason.
 */
export class MessageBudget {
  private tokens: number;
  private last: number | undefined;

  constructor(readonly perSecond: number, readonly burst: number) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError(`Invalid message budget: ${perSecond}/s, burst ${burst}.`);
    this.tokens = burst;
  }

  /** One message at `nowMs` (a monotonic clock). */
  take(nowMs: number): boolean {
    if (this.last !== undefined) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.last) / 1000) * this.perSecond);
    this.last = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** A client's WebSocket protocol error, as the relays report it: the close code `ws` uses and a sentence. */
export interface ClientProtocolError {
  /** ws's code, e.g. WS_ERR_UNSUPPORTED_MESSAGE_LENGTH. */
  code: string;
  /** RFC 6455 close code: 1009 too big, 1007 invalid UTF-8, 1002 otherwise. */
  closeCode: number;
  message: string;
}

/** ws's error codes (WS_ERR_*) in the user's words and with their close code. */
export function describeClientProtocolError(err: Error, maxFrame: number): ClientProtocolError {
  const code = String((err as { code?: unknown }).code ?? 'WS_ERR');
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return { code, closeCode: 1009, message: `The client sent a frame larger than ${maxFrame} bytes.` };
  if (code === 'WS_ERR_INVALID_UTF8') return { code, closeCode: 1007, message: 'The client sent a text frame that is not valid UTF-8.' };
  return { code, closeCode: 1002, message: `The client broke the WebSocket protocol (${err.message}).` };
}

interface ReceiverLike {
  prependListener(event: 'error', cb: (err: Error) => void): unknown;
}

/**
 * Calls `cb` when the client breaks the WebSocket protocol, *before* `ws` closes the socket with a bare
 * code: `ws` handles its receiver's error by closing at once (code only, no reason) and only then emits
 * 'error', when nothing can be sent any more. Listening first on the receiver (ws 8's `_receiver`, set
 * for every open server socket) lets the relay send its own `closed` message, close with a reason and
 * record `protocol_error`. Returns false if the socket has no receiver to listen on (then only 'error').
 */
export function onClientProtocolError(ws: unknown, maxFrame: number, cb: (err: ClientProtocolError) => void): boolean {
  const receiver = (ws as { _receiver?: Partial<ReceiverLike> } | null)?._receiver;
  if (typeof receiver?.prependListener !== 'function') return false;
  let called = false;
  receiver.prependListener('error', (err: Error) => {
    if (called) return;
    called = true;
    cb(describeClientProtocolError(err, maxFrame));
  });
  return true;
}

/** A WebSocket close reason: at most 123 UTF-8 bytes (RFC 6455 §5.5), cut at a character boundary. */
export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= 123) return text;
  let out = '';
  for (const ch of text) {
    if (Buffer.byteLength(out + ch) > 120) break;
    out += ch;
  }
  return `${out}…`; // the ellipsis is 3 bytes: 123 at most
}
