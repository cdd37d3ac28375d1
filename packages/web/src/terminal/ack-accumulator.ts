import { FLOW_CONTROL } from '../../../protocol/src/ssh-messages.js';

/**
 * Flow-control bookkeeping for server → browser output (design 0003, "Flow control and keepalive"). The
 * browser acknowledges data-payload bytes once xterm has *written* them (its write callback), at least
 * every ACK_EVERY bytes, and whenever it has unacknowledged bytes and the write queue drains.
 *
 * Pure: call `queued()` when a chunk is handed to `terminal.write`, `written(n)` from its callback; a
 * non-zero result is the `ack.bytes` to send now.
 */
export class AckAccumulator {
  #pending = 0;
  #inFlight = 0;

  constructor(private readonly every: number = FLOW_CONTROL.ACK_EVERY) {
    if (!Number.isSafeInteger(every) || every < 1) throw new RangeError('ACK threshold must be a positive integer');
  }

  /** A chunk went into xterm's write queue. */
  queued(): void {
    this.#inFlight++;
  }

  /** xterm finished writing a chunk of `bytes`; returns the bytes to acknowledge now (0: none yet). */
  written(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError('written bytes must be a non-negative integer');
    if (this.#inFlight > 0) this.#inFlight--;
    this.#pending += bytes;
    if (this.#pending > 0 && (this.#pending >= this.every || this.#inFlight === 0)) return this.flush();
    return 0;
  }

  /** Bytes written but not yet acknowledged. */
  get pending(): number {
    return this.#pending;
  }

  /** Takes everything pending (e.g. to acknowledge before a deliberate pause). */
  flush(): number {
    const bytes = this.#pending;
    this.#pending = 0;
    return bytes;
  }
}
