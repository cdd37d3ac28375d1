import { describe, expect, it } from 'vitest';
import { AckAccumulator } from './ack-accumulator.js';

describe('AckAccumulator', () => {
  it('acknowledges at least every ACK_EVERY bytes while writes are queued', () => {
    const acc = new AckAccumulator(100);
    for (let i = 0; i < 10; i++) acc.queued();
    const acks = [30, 30, 30, 30, 30, 30, 30].map((n) => acc.written(n));
    expect(acks).toEqual([0, 0, 0, 120, 0, 0, 0]);
    expect(acc.pending).toBe(90);
  });

  it('acknowledges the remainder when the write queue drains', () => {
    const acc = new AckAccumulator(100);
    acc.queued();
    acc.queued();
    expect(acc.written(10)).toBe(0);
    expect(acc.written(5)).toBe(15);
    expect(acc.pending).toBe(0);
    acc.queued();
    expect(acc.written(0)).toBe(0); // never an ack of 0
  });

  it('defaults to the protocol threshold and refuses bad input', () => {
    const acc = new AckAccumulator();
    acc.queued();
    acc.queued();
    expect(acc.written(32 * 1024 - 1)).toBe(0);
    expect(acc.written(1)).toBe(1 + 32 * 1024 - 1);
    expect(() => acc.written(-1)).toThrow(RangeError);
    expect(() => new AckAccumulator(0)).toThrow(RangeError);
  });

  it('a flood of 50 MB in 4 KiB writes is acknowledged in full and never lags by ACK_EVERY', () => {
    const acc = new AckAccumulator();
    let acked = 0;
    let written = 0;
    for (let i = 0; i < 8; i++) acc.queued(); // xterm's write queue is never empty during the flood
    for (let i = 0; i < (50 * 1024 * 1024) / 4096; i++) {
      written += 4096;
      acked += acc.written(4096);
      expect(written - acked).toBeLessThan(32 * 1024);
      acc.queued();
    }
    for (let i = 0; i < 8; i++) acked += acc.written(0); // the queue drains: the remainder is acknowledged
    expect(acked).toBe(written);
  });
});
