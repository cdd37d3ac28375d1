import { describe, expect, it } from 'vitest';
import { RdpSessionStatus } from './session-status.js';

describe('RdpSessionStatus', () => {
  it('answers only the user who redeemed the token, and keeps a failure final', () => {
    const s = new RdpSessionStatus();
    const h = s.open('tok-1', 'alice', true);
    expect(s.get('tok-1', 'alice')).toEqual({ recorded: true });
    expect(s.get('tok-1', 'bob')).toBeUndefined();
    expect(s.get('tok-2', 'alice')).toBeUndefined();
    h.notRecorded('The session recording failed (ENOSPC). This session is not being recorded.', false);
    expect(s.get('tok-1', 'alice')).toEqual({ recorded: false, message: 'The session recording failed (ENOSPC). This session is not being recorded.' });
  });

  it('a session refused for its recording says so after it ended, for a while', () => {
    const s = new RdpSessionStatus();
    const h = s.open('tok-1', 'alice', true);
    h.notRecorded('No recording. This bastion ends sessions it cannot record.', true);
    h.close();
    expect(s.get('tok-1', 'alice')).toMatchObject({ recorded: false, ended: true });
    s.clear();
    expect(s.size).toBe(0);
  });
});
