import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ResizeDebouncer, desktopSizeFor, type DesktopSize } from './desktop-size.js';

describe('desktopSizeFor', () => {
  it('keeps sizes inside display control limits, width even', () => {
    expect(desktopSizeFor(1280.7, 721.2)).toEqual({ width: 1280, height: 721 });
    expect(desktopSizeFor(1281, 720)).toEqual({ width: 1280, height: 720 });
    expect(desktopSizeFor(50, 20)).toEqual({ width: 200, height: 200 });
    expect(desktopSizeFor(10_000, 9_000)).toEqual({ width: 8192, height: 8192 });
  });

  it('has no size for a hidden element', () => {
    expect(desktopSizeFor(0, 600)).toBeUndefined();
    expect(desktopSizeFor(800, 0)).toBeUndefined();
    expect(desktopSizeFor(Number.NaN, 600)).toBeUndefined();
  });
});

describe('ResizeDebouncer', () => {
  let applied: DesktopSize[];
  let debouncer: ResizeDebouncer;

  beforeEach(() => {
    vi.useFakeTimers();
    applied = [];
    debouncer = new ResizeDebouncer((size) => applied.push(size), 400);
  });
  afterEach(() => {
    debouncer.dispose();
    vi.useRealTimers();
  });

  it('sends only the last size of a burst, after the delay', () => {
    debouncer.observe(800, 600);
    vi.advanceTimersByTime(200);
    debouncer.observe(900, 650);
    vi.advanceTimersByTime(200);
    debouncer.observe(1000, 700);
    vi.advanceTimersByTime(399);
    expect(applied).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(applied).toEqual([{ width: 1000, height: 700 }]);
  });

  it('does not resend the size the VM already has', () => {
    debouncer.current = { width: 1000, height: 700 };
    debouncer.observe(1001, 700.4);
    vi.advanceTimersByTime(1000);
    expect(applied).toEqual([]);
    debouncer.observe(1200, 700);
    vi.advanceTimersByTime(400);
    debouncer.observe(1200, 700);
    vi.advanceTimersByTime(400);
    expect(applied).toEqual([{ width: 1200, height: 700 }]);
  });

  it('a hidden element cancels a pending resize', () => {
    debouncer.observe(1000, 700);
    debouncer.observe(0, 0);
    vi.advanceTimersByTime(1000);
    expect(applied).toEqual([]);
  });

  it('sends nothing after dispose', () => {
    debouncer.observe(1000, 700);
    debouncer.dispose();
    debouncer.observe(1100, 700);
    vi.advanceTimersByTime(1000);
    expect(applied).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
