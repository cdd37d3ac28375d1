/**
 * The remote desktop's size follows the element it is drawn in. Sizes are clamped to what RDP display
 * control accepts ([MS-RDPEDISP] 2.2.2.2.1: 200–8192 pixels, width even), and a resize is sent only once
 * the element has kept a size for a moment: dragging a window edge would otherwise ask the VM for dozens
 * of desktop sizes a second, each one a full repaint.
 */

export interface DesktopSize {
  width: number;
  height: number;
}

export const MIN_SIDE = 200;
export const MAX_SIDE = 8192;
export const RESIZE_DELAY_MS = 400;

/** The desktop size for an element of `width` × `height` CSS pixels; undefined while it is hidden (0 × 0). */
export function desktopSizeFor(width: number, height: number): DesktopSize | undefined {
  if (!(width > 0) || !(height > 0)) return undefined;
  const clamp = (n: number) => Math.min(MAX_SIDE, Math.max(MIN_SIDE, Math.floor(n)));
  const w = clamp(width);
  return { width: w - (w % 2), height: clamp(height) };
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Collects element sizes and calls `apply` with the last one after `delayMs` without change. Sizes equal
 * to the one last applied (or given as `initial`) are dropped, so a layout pass that lands back on the
 * same size costs nothing.
 */
export class ResizeDebouncer {
  #timer: unknown;
  #applied: DesktopSize | undefined;
  #disposed = false;

  constructor(
    private readonly apply: (size: DesktopSize) => void,
    private readonly delayMs = RESIZE_DELAY_MS,
    private readonly timers: Timers = browserTimers,
  ) {}

  /** The size the VM already has (the connect size): not sent again. */
  set current(size: DesktopSize | undefined) {
    this.#applied = size;
  }

  /** An element size in CSS pixels. */
  observe(width: number, height: number): void {
    if (this.#disposed) return;
    const size = desktopSizeFor(width, height);
    this.#cancel();
    if (!size) return;
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = undefined;
      if (this.#applied && this.#applied.width === size.width && this.#applied.height === size.height) return;
      this.#applied = size;
      this.apply(size);
    }, this.delayMs);
  }

  dispose(): void {
    this.#disposed = true;
    this.#cancel();
  }

  #cancel(): void {
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
