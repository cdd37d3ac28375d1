import { describe, expect, it } from 'vitest';
import { closeReason, CoalescedReply, describeClientProtocolError, MessageBudget } from './ws-bounds.js';

describe('CoalescedReply', () => {
  it('keeps one reply in flight and only the newest request waiting', () => {
    const sent: number[] = [];
    const done: Array<() => void> = [];
    const reply = new CoalescedReply<number>((v, d) => (sent.push(v), done.push(d)), () => true);
    for (let i = 1; i <= 1000; i++) reply.request(i);
    expect(sent).toEqual([1]);
    done.shift()!();
    expect(sent).toEqual([1, 1000]);
    expect(reply.coalesced).toBe(998);
    done.shift()!();
    reply.request(2000);
    expect(sent).toEqual([1, 1000, 2000]);
  });

  it('sends nothing once the socket is not open', () => {
    const sent: number[] = [];
    const reply = new CoalescedReply<number>((v) => sent.push(v), () => false);
    reply.request(1);
    expect(sent).toEqual([]);
  });
});

describe('MessageBudget', () => {
  it('allows the burst, then refuses; refills at the sustained rate', () => {
    const b = new MessageBudget(50, 500);
    let ok = 0;
    while (b.take(0)) ok++;
    expect(ok).toBe(500);
    expect(b.take(19)).toBe(false); // 0.95 of a token
    let later = 0;
    while (b.take(1019)) later++; // a second after that one: 50 more
    expect(later).toBe(50);
  });

  it('never refuses a client that stays under the rate', () => {
    const b = new MessageBudget(50, 10);
    for (let i = 0; i < 100_000; i++) expect(b.take(i * 21)).toBe(true);
  });
});

describe('client protocol errors', () => {
  const err = (code: string, message: string) => Object.assign(new Error(message), { code });
  it('names oversized and invalid UTF-8 frames with their close codes', () => {
    expect(describeClientProtocolError(err('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', 'Max payload size exceeded'), 65536)).toEqual({
      code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
      closeCode: 1009,
      message: 'The client sent a frame larger than 65536 bytes.',
    });
    expect(describeClientProtocolError(err('WS_ERR_INVALID_UTF8', 'Invalid UTF-8 sequence'), 1).closeCode).toBe(1007);
    expect(describeClientProtocolError(err('WS_ERR_EXPECTED_MASK', 'MASK must be set'), 1)).toMatchObject({ closeCode: 1002, message: expect.stringContaining('MASK must be set') });
  });

  it('cuts a close reason to 123 UTF-8 bytes without splitting a character', () => {
    expect(closeReason('short')).toBe('short');
    const cut = closeReason('é'.repeat(100));
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toContain('\ufffd');
  });
});
