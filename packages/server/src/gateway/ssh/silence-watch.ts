/**
 * Whether the VM still answers (issue #13, finding 8). ssh2 sends a keepalive request every few seconds
 * and gives up only after many unanswered ones (a minute): meanwhile a frozen VM looked exactly like an
 * idle one. Any byte from the VM's TCP socket — output, a keepalive answer, a window adjust — is a sign of
 * life; silence longer than one keepalive interval plus the time to answer means the VM is not responding.
 * It also counts the input written since the VM was last heard from: the bytes not known to have arrived.
 */
export interface SilenceWatchOptions {
  /** Silent this long (ms) → not responding. Must exceed the keepalive interval, or an idle VM would count. */
  afterMs: number;
  /** How often silence is checked (ms). Default a quarter of `afterMs`, at least 250 ms. */
  checkEveryMs?: number;
  now?: () => number;
  /** Called on each change: false once silent for `afterMs`, true when the VM is heard from again. */
  onChange: (responding: boolean, silentMs: number) => void;
}

export class SilenceWatch {
  private lastHeard: number;
  private _responding = true;
  private _unconfirmed = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: SilenceWatchOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.lastHeard = this.now();
    this.timer = setInterval(() => this.check(), opts.checkEveryMs ?? Math.max(250, opts.afterMs / 4));
    this.timer.unref();
  }

  get responding(): boolean {
    return this._responding;
  }

  /** Input bytes written since the VM last sent anything. */
  get unconfirmedInput(): number {
    return this._unconfirmed;
  }

  /** Bytes arrived from the VM. */
  heard(): void {
    this.lastHeard = this.now();
    this._unconfirmed = 0;
    if (!this._responding) {
      this._responding = true;
      this.opts.onChange(true, 0);
    }
  }

  /** `bytes` of input were written toward the VM. */
  wrote(bytes: number): void {
    this._unconfirmed += bytes;
  }

  /** Compares the silence with the limit (the timer calls it; tests call it with their clock). */
  check(): void {
    const silent = this.now() - this.lastHeard;
    if (this._responding && silent > this.opts.afterMs) {
      this._responding = false;
      this.opts.onChange(false, silent);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
