import type { AuditLog } from '../audit/audit-log.js';
import type { ConnectionLog } from '../audit/connection-log.js';
import type { LiveSessions } from '../sessions/live-sessions.js';
import { LabelledCounter, renderMetrics, type MetricFamily, type Sample } from './prometheus.js';

const PROTOCOLS = ['ssh', 'rdp', 'tunnel'] as const;

/**
 * The bastion's Prometheus metrics (design 0005, "Metrics"). Gauges and byte totals are read from the
 * live-session registry at scrape time; sign-in failures are counted as the audit log and the connection
 * log write them. Counters start at zero with the process, as Prometheus expects.
 */
export class BastionMetrics {
  readonly authFailures = new LabelledCounter<'kind'>(['kind']);

  constructor(
    private readonly live: LiveSessions,
    audit: AuditLog,
    connections: ConnectionLog,
  ) {
    audit.observe((e) => {
      if (e.type === 'user.login.failed') this.authFailures.inc({ kind: 'portal' });
    });
    connections.observeEnd((r) => {
      // The VM refused the credentials (a wrong key passphrase is the browser user's local problem, not counted).
      if (r.errorCode === 'auth_failed' && r.protocol === 'ssh') this.authFailures.inc({ kind: 'ssh' });
    });
  }

  families(): MetricFamily[] {
    const live = this.live.list();
    const bytes: Sample[] = [];
    for (const protocol of PROTOCOLS)
      for (const direction of ['in', 'out'] as const) {
        const running = live.filter((s) => s.protocol === protocol).reduce((sum, s) => sum + ((direction === 'in' ? s.stats()?.bytesIn : s.stats()?.bytesOut) ?? 0), 0);
        bytes.push({ labels: { protocol, direction }, value: this.live.endedBytes.get({ protocol, direction }) + running });
      }
    return [
      {
        name: 'bastion_live_sessions',
        help: 'Connections in progress (connecting or relaying), by protocol.',
        type: 'gauge',
        samples: PROTOCOLS.map((protocol) => ({ labels: { protocol }, value: live.filter((s) => s.protocol === protocol).length })),
      },
      {
        name: 'bastion_connect_duration_seconds',
        help: 'Time from the connect ticket (SSH) or token (RDP) being redeemed to the session being ready.',
        type: 'histogram',
        samples: this.live.connectSeconds.samples(),
      },
      {
        name: 'bastion_relayed_bytes_total',
        help: 'Bytes relayed; direction "in" is browser to VM, "out" is VM to browser.',
        type: 'counter',
        samples: bytes,
      },
      {
        name: 'bastion_auth_failures_total',
        help: 'Failed authentications: portal sign-ins, and SSH logins the VM refused.',
        type: 'counter',
        samples: (['portal', 'ssh'] as const).map((kind) => ({ labels: { kind }, value: this.authFailures.get({ kind }) })),
      },
    ];
  }

  render(): string {
    return renderMetrics(this.families());
  }
}
