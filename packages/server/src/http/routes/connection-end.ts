import type { FastifyBaseLogger } from 'fastify';
import type { BastionAuditEnd, BastionAuditRecord } from '../../../../protocol/src/bastion-audit-log.js';
import type { ConnectionLog } from '../../audit/connection-log.js';

/**
 * A connection record's end, written once however many ways the connection ends (client gone, limit,
 * administrator, shutdown, failure): the first `finish` writes it and takes the connection off the live
 * list; later calls get the same promise. A failed write is logged, never thrown.
 */
export class ConnectionEnd {
  private written: Promise<void> | undefined;
  /** Takes the connection off the live list; set once it is registered. */
  unregister: () => void = () => undefined;

  /** `record` gives the current record (it changes when the connection is marked connected). */
  constructor(private readonly connections: ConnectionLog, private readonly log: FastifyBaseLogger, private readonly record: () => BastionAuditRecord) {}

  finish(end: BastionAuditEnd): Promise<void> {
    return (this.written ??= this.connections.end(this.record(), end).then(
      () => this.unregister(),
      (err: unknown) => {
        this.unregister();
        this.log.error({ err, sessionId: this.record().sessionId }, 'connection record: end not written');
      },
    ));
  }

  /** Whether the end has been (or is being) written. */
  get started(): boolean {
    return this.written !== undefined;
  }

  /** Settles when the end is written; at once when nothing ended the connection yet. */
  settled(): Promise<void> {
    return this.written ?? Promise.resolve();
  }
}
