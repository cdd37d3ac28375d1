import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../storage/open.js';
import { AuditLog, type AuditInput } from './audit-log.js';
import { RefusalLimiter } from './refusal-limiter.js';

let dir: string;
let store: Store;
let audit: AuditLog;
let clock: number;
const now = (): number => clock;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bastion-refusals-'));
  store = await openStore({ sqliteFile: join(dir, 'bastion.db'), synchronous: 'NORMAL' });
  audit = new AuditLog(store.db);
  clock = Date.parse('2026-12-04T10:00:00Z');
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const refusal = (ip: string, reason = 'ticket_invalid'): AuditInput => ({ type: 'ssh.ticket.rejected', outcome: 'denied', clientIp: ip, message: `Connect ticket refused: ${reason}.`, details: { reason } });

describe('refusal limiter (issue 13: audit flooding)', () => {
  it('writes the first N refusals of a client one by one, then one summary with the count when the window ends', async () => {
    const limiter = new RefusalLimiter(audit, { perWindow: 5, windowMs: 60_000, maxKeys: 100 }, now);
    for (let i = 0; i < 317; i++) {
      await limiter.write(refusal('203.0.113.7', i % 2 ? 'ticket_invalid' : 'ticket_expired'));
      clock += 100; // 31.7 s in all: one window
    }
    expect(await audit.list({ type: 'ssh.ticket.rejected' })).toHaveLength(5);
    clock += 30_000; // the window is over; the next refusal (any client) writes the summary
    await limiter.write(refusal('198.51.100.1'));
    const events = await audit.list({ type: 'ssh.ticket.rejected', limit: 1000 });
    const summary = events.find((e) => e.details['summary'] === true)!;
    expect(summary).toMatchObject({ clientIp: '203.0.113.7', outcome: 'denied', code: 'S1000W', message: '312 more refused SSH connections (tickets or origin) from 203.0.113.7 in the last 60 s (the first 5 were recorded one by one).' });
    expect(summary.details).toMatchObject({ suppressed: 312, recorded: 5, windowSeconds: 60, reasons: { ticket_invalid: 156, ticket_expired: 156 } });
    expect(events).toHaveLength(5 + 1 + 1);
    // A new window: the client's refusals are written one by one again.
    await limiter.write(refusal('203.0.113.7'));
    expect((await audit.list({ type: 'ssh.ticket.rejected', limit: 1000 })).filter((e) => e.clientIp === '203.0.113.7' && !e.details['summary'])).toHaveLength(6);
  });

  it('counts per client address and per event type', async () => {
    const limiter = new RefusalLimiter(audit, { perWindow: 2, windowMs: 60_000, maxKeys: 100 }, now);
    for (let i = 0; i < 10; i++) {
      await limiter.write(refusal('203.0.113.7'));
      await limiter.write(refusal('203.0.113.8'));
      await limiter.write({ type: 'link.rejected', outcome: 'denied', clientIp: '203.0.113.7', message: 'Shareable link refused: unknown or revoked.', details: { reason: 'unknown or revoked' } });
    }
    await limiter.flush();
    const events = await audit.list({ limit: 1000 });
    const written = events.filter((e) => !e.details['summary']);
    expect(written).toHaveLength(6);
    const summaries = events.filter((e) => e.details['summary']).map((e) => `${e.type} ${e.clientIp} ${String(e.details['suppressed'])}`);
    expect(summaries.sort()).toEqual(['link.rejected 203.0.113.7 8', 'ssh.ticket.rejected 203.0.113.7 8', 'ssh.ticket.rejected 203.0.113.8 8']);
  });

  it('keeps memory bounded: beyond maxKeys addresses, new addresses share one bucket', async () => {
    const limiter = new RefusalLimiter(audit, { perWindow: 1, windowMs: 60_000, maxKeys: 50 }, now);
    for (let i = 0; i < 2000; i++) await limiter.write(refusal(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    expect(limiter.size).toBeLessThanOrEqual(51);
    await limiter.flush();
    const events = await audit.list({ limit: 100_000 });
    // 50 tracked addresses + 1 row of the shared bucket + its summary of the other 1,949.
    expect(events.length).toBe(52);
    const shared = events.find((e) => e.details['summary'])!;
    expect(shared).toMatchObject({ clientIp: null, details: { suppressed: 1949 } });
    expect(shared.message).toContain('1949 more refused SSH connections (tickets or origin) from various addresses');
    expect(limiter.size).toBe(0);
  });

  it('writes no summary when nothing was held back', async () => {
    const limiter = new RefusalLimiter(audit, { perWindow: 3, windowMs: 1000, maxKeys: 10 }, now);
    await limiter.write(refusal('203.0.113.7'));
    clock += 5000;
    await limiter.write(refusal('203.0.113.7'));
    await limiter.flush();
    expect((await audit.list()).every((e) => !e.details['summary'])).toBe(true);
    expect(await audit.list()).toHaveLength(2);
  });
});
