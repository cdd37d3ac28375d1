import { describe, expect, it } from 'vitest';
import { decodeServerFrame, encodeServerControl } from './ssh-messages.js';

describe('vm_status (the VM is not responding / answers again)', () => {
  it('round-trips, and truncates a long message', () => {
    for (const m of [
      { type: 'vm_status', responding: false, message: 'The VM is not responding.' },
      { type: 'vm_status', responding: true, message: '' },
    ] as const)
      expect(decodeServerFrame(encodeServerControl(m))).toEqual({ ok: true, message: m });
    const long = decodeServerFrame(encodeServerControl({ type: 'vm_status', responding: false, message: 'x'.repeat(2000) }));
    expect(long.ok && long.message.type === 'vm_status' && long.message.message.length).toBe(512);
  });

  it('refuses a missing or non-boolean responding and unknown fields', () => {
    for (const text of [
      '{"type":"vm_status","message":""}',
      '{"type":"vm_status","responding":"no","message":""}',
      '{"type":"vm_status","responding":0,"message":""}',
      '{"type":"vm_status","responding":false,"message":"","extra":1}',
      '{"type":"vm_status","responding":false}',
    ])
      expect(decodeServerFrame(text).ok, text).toBe(false);
  });
});
