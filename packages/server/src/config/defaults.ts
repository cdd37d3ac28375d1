import type { BastionConfig } from './schema.js';

/** Session recordings (design 0006): what an unset `recordings.*` key means. */
export const RECORDING_DEFAULTS = { retentionDays: 90, onFailure: 'continue', ssh: { enabled: true, input: false }, rdp: { enabled: true } } as const;

/** What unset `server.*` connection keys mean (issue 13; http/connection-limits.ts). */
export const SERVER_CONNECTION_DEFAULTS = { tlsHandshakeTimeoutSeconds: 10, requestHeadersTimeoutSeconds: 30, maxConnectionsPerAddress: 256 } as const;

/** Built-in defaults: the embedded setup that `npm start` runs with no configuration file. */
export const DEFAULT_CONFIG: BastionConfig = {
  dataDir: './data',
  server: { host: '0.0.0.0', port: 8443, trustProxy: false },
  database: {},
  recordings: {},
  log: { level: 'info' },
  security: { sessionTtlMinutes: 720, login: { maxFailures: 5, windowSeconds: 900, ipMaxFailures: 20, accountDelaySeconds: 1, accountMaxDelaySeconds: 900 } },
  admin: { username: 'admin' },
  users: [],
};
