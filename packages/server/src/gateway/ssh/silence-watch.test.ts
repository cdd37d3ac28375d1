import { describe, expect, it } from 'vitest';
import { SilenceWatch } from './silence-watch.js';

describe('SilenceWatch', () => {
  it('reports a silent VM once, and again when it is heard from; counts input written meanwhile', () => {
    let clock = 0;
    const changes: Array<[boolean, number]> = [];
    const w = new SilenceWatch({ afterMs: 6000, now: () => clock, onChange: (r, s) => changes.push([r, s]) });
    try {
      clock = 6000;
      w.check();
      expect(changes).toEqual([]); // exactly the limit: an idle VM answering its keepalive late is not frozen
      w.wrote(3);
      clock = 6500;
      w.check();
      w.check();
      expect(changes).toEqual([[false, 6500]]);
      expect(w.responding).toBe(false);
      w.wrote(4);
      expect(w.unconfirmedInput).toBe(7);
      w.heard();
      expect(changes).toEqual([[false, 6500], [true, 0]]);
      expect(w.unconfirmedInput).toBe(0);
      clock = 10_000;
      w.check();
      expect(changes).toHaveLength(2); // heard at 6500: 3.5 s of silence
    } finally {
      w.stop();
    }
  });
});
