import type { BastionAuditRecord } from '../../packages/protocol/src/bastion-audit-log.js';

/** The record once it has ended (the end is written just after the socket closes): polled for 5 s. */
export async function waitForEndedRecord(connections: { get(sessionId: string): Promise<BastionAuditRecord | undefined> }, sessionId: string): Promise<BastionAuditRecord> {
  for (let i = 0; i < 200; i++) {
    const r = await connections.get(sessionId);
    if (r?.endTime) return r;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`record ${sessionId} did not end: ${JSON.stringify(await connections.get(sessionId))}`);
}
