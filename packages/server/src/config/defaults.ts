import type { BastionConfig } from './schema.js';

/** Built-in defaults: the embedded setup that `npm start` runs with no configuration file. */
export const DEFAULT_CONFIG: BastionConfig = {
  dataDir: './data',
  server: { host: '0.0.0.0', port: 8443, trustProxy: false },
  database: {},
  recordings: {},
  log: { level: 'info' },
  security: { sessionTtlMinutes: 720, login: { maxFailures: 5, windowSeconds: 900 } },
  admin: { username: 'admin' },
  users: [],
};
