import { describe, expect, it } from 'vitest';
import { describeEnd } from './session-end.js';

describe('describeEnd', () => {
  it('a normal exit is "Session ended", calm, without "status 0"', () => {
    expect(describeEnd({ reason: 'exited', message: 'The shell exited with status 0.' })).toEqual({ calm: true, title: 'Session ended' });
    expect(describeEnd({ reason: 'exited', message: 'The shell exited.' })).toEqual({ calm: true, title: 'Session ended' });
  });
  it('an exit with another status or a signal says so, still calmly', () => {
    expect(describeEnd({ reason: 'exited', message: 'The shell exited with status 2.' })).toEqual({ calm: true, title: 'Session ended', detail: 'The shell exited with status 2.' });
    expect(describeEnd({ reason: 'exited', message: 'The shell exited on signal HUP.' }).detail).toContain('HUP');
  });
  it('the user’s own Disconnect is calm', () => {
    expect(describeEnd({ reason: 'client_closed', message: 'You disconnected.' }).calm).toBe(true);
  });
  it('anything else is a disconnection with its reason', () => {
    expect(describeEnd({ reason: 'keepalive_timeout', message: 'The VM stopped answering.' })).toEqual({ calm: false, title: 'Disconnected', detail: 'The VM stopped answering.' });
    expect(describeEnd({ reason: 'auth_failed', message: 'Authentication failed.' }).calm).toBe(false);
  });
});
