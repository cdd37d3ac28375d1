import { describe, expect, it } from 'vitest';
import { AckWindow } from './flow-control.js';
import { sshFingerprintSha256, sshKeyType } from './fingerprint.js';

describe('AckWindow', () => {
  it('pauses above the high-water mark and resumes below the low one', () => {
    const w = new AckWindow({ highWaterMark: 100, lowWaterMark: 20 });
    expect(w.delivered(60)).toBe('none');
    expect(w.delivered(40)).toBe('none'); // exactly 100: not above
    expect(w.delivered(1)).toBe('pause');
    expect(w.delivered(30)).toBe('none'); // already paused
    expect(w.ack(100)).toBe('none'); // 31 left, not below 20
    expect(w.ack(12)).toBe('resume'); // 19
    expect(w.paused).toBe(false);
    expect(w.maxUnacked).toBe(131);
  });

  it('clamps odd acks and validates marks', () => {
    const w = new AckWindow();
    w.delivered(10);
    expect(w.ack(-5)).toBe('none');
    expect(w.ack(Number.NaN)).toBe('none');
    w.ack(1000);
    expect(w.unacked).toBe(0);
    expect(() => new AckWindow({ highWaterMark: 10, lowWaterMark: 20 })).toThrow(RangeError);
  });
});

describe('fingerprint', () => {
  it('matches ssh-keygen -l for an ed25519 key', () => {
    // ssh-keygen -lf of "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    const blob = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl', 'base64');
    expect(sshKeyType(blob)).toBe('ssh-ed25519');
    expect(sshFingerprintSha256(blob)).toBe('SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU');
  });
});
