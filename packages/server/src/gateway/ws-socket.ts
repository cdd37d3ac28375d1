/** The part of a `ws` WebSocket the gateway's relays use (the `ws` package ships no types here). */
export interface GatewayWebSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  pause(): void;
  resume(): void;
  on(event: 'message', cb: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close', cb: () => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
}

/** `WebSocket.OPEN`. */
export const WS_OPEN = 1;

/** Bytes relayed each way and the largest send backlog seen (RDP relay, TCP tunnel). */
export interface RelayStats {
  bytesIn: number;
  bytesOut: number;
  maxBufferedAmount: number;
}

/** A `ws` message payload as one Buffer. */
export const wsMessageBuffer = (raw: Buffer | ArrayBuffer | Buffer[]): Buffer => (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw));

/**
 * VM → WebSocket with back-pressure (RDP relay, TCP tunnel): while more than `high` bytes wait in the
 * WebSocket's send buffer the source is paused, so a slow client's backlog waits in TCP windows, not in
 * our memory; a send callback (the moment bytes leave for the network) resumes it below `low`.
 */
export class BackPressuredSender {
  private sourcePaused = false;

  constructor(private readonly ws: GatewayWebSocket, private readonly stats: RelayStats, private readonly water: { high: number; low: number }) {}

  /** Sends `chunk` (counted in `bytesOut`); `live()` false after the relay ended keeps `source` paused. */
  send(chunk: Buffer, source: { pause(): unknown; resume(): unknown }, live: () => boolean): void {
    this.stats.bytesOut += chunk.length;
    this.ws.send(chunk, () => {
      if (this.sourcePaused && this.ws.bufferedAmount < this.water.low && live()) {
        this.sourcePaused = false;
        source.resume();
      }
    });
    const queued = this.ws.bufferedAmount;
    if (queued > this.stats.maxBufferedAmount) this.stats.maxBufferedAmount = queued;
    if (queued > this.water.high && !this.sourcePaused) {
      this.sourcePaused = true;
      source.pause();
    }
  }
}
