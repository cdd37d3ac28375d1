import { FLOW_CONTROL } from '../../../../protocol/src/ssh-messages.js';
/**
 * Credit-based flow control for one output stream, without I/O: bytes delivered to the consumer count as
 * unacknowledged until it `ack`s them. Above `highWaterMark` the producer must pause; once the backlog
 * drops below `lowWaterMark` it may resume. The owner applies the answers (e.g. channel.pause()/resume()).
 */
export interface FlowControlOptions {
  /** Pause when more than this many bytes are unacknowledged. Default 256 KiB. */
  highWaterMark?: number;
  /** Resume when the backlog falls below this. Default 64 KiB. */
  lowWaterMark?: number;
}

/** The wire protocol's numbers (the browser acks against the same window). */
export const DEFAULT_HIGH_WATER_MARK = FLOW_CONTROL.HIGH_WATER;
export const DEFAULT_LOW_WATER_MARK = FLOW_CONTROL.LOW_WATER;

export type FlowAction = 'pause' | 'resume' | 'none';

export class AckWindow {
  readonly highWaterMark: number;
  readonly lowWaterMark: number;
  private _unacked = 0;
  private _paused = false;
  private _maxUnacked = 0;

  constructor(opts: FlowControlOptions = {}) {
    this.highWaterMark = opts.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.lowWaterMark = opts.lowWaterMark ?? DEFAULT_LOW_WATER_MARK;
    if (!(this.highWaterMark > 0) || !(this.lowWaterMark >= 0) || this.lowWaterMark > this.highWaterMark) {
      throw new RangeError(`Invalid flow-control marks: low ${this.lowWaterMark}, high ${this.highWaterMark} (need 0 <= low <= high, high > 0).`);
    }
  }

  get unacked(): number {
    return this._unacked;
  }
  get paused(): boolean {
    return this._paused;
  }
  /** The largest backlog seen (for tests and metrics). */
  get maxUnacked(): number {
    return this._maxUnacked;
  }

  /** `bytes` were handed to the consumer. */
  delivered(bytes: number): FlowAction {
    this._unacked += bytes;
    if (this._unacked > this._maxUnacked) this._maxUnacked = this._unacked;
    if (!this._paused && this._unacked > this.highWaterMark) {
      this._paused = true;
      return 'pause';
    }
    return 'none';
  }

  /** The consumer has processed `bytes` (negative, NaN and excess values are clamped). */
  ack(bytes: number): FlowAction {
    if (!(bytes > 0)) return 'none';
    this._unacked = Math.max(0, this._unacked - bytes);
    if (this._paused && this._unacked < this.lowWaterMark) {
      this._paused = false;
      return 'resume';
    }
    return 'none';
  }
}
