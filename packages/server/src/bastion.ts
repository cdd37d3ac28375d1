import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { AuditLog } from './audit/audit-log.js';
import { ConnectionLog } from './audit/connection-log.js';
import { ensureDeclaredRoleAssignments, ensureDeclaredUsers, ensureFirstAdmin } from './bootstrap.js';
import { looseModes, type LooseMode } from './data-modes.js';
import type { BastionConfig } from './config/schema.js';
import { HostKeyTrust } from './gateway/ssh/index.js';
import { SshTicketStore } from './gateway/ssh/tickets.js';
import { buildApp } from './http/app.js';
import { trackUnusedConnections } from './http/unused-connections.js';
import { LoginRateLimiter } from './identity/rate-limiter.js';
import { UserDirectory } from './identity/users.js';
import { WebSessions } from './identity/web-sessions.js';
import { applyInventoryConfig } from './inventory/apply-config.js';
import { InventoryService } from './inventory/service.js';
import { ensureSubscriptionId } from './inventory/subscription.js';
import { AccessChecker, RoleStore } from './rbac/index.js';
import { LIVE_PERSIST_MS, LiveSessions } from './sessions/live-sessions.js';
import { Recordings, recordingSettings } from './recordings/index.js';
import { openStore, type Store } from './storage/open.js';
import { connectionLimitsOf } from './http/connection-limits.js';
import { prepareFolders } from './start-folders.js';
import { ensureSelfSignedCertificate, loadTlsFiles, type TlsMaterial } from './tls/certificate.js';
import { ensureMasterKey, VaultStore } from './vault/index.js';

/** dist/web beside the compiled server (dist/server/src/bastion.js → dist/web). */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');

export interface Bastion {
  app: FastifyInstance;
  store: Store;
  tls: TlsMaterial;
  firstAdmin: { username: string; password: string } | undefined;
  subscriptionId: string;
  recordingsDir: string;
  /** Connection records (bastion_audit_logs) and the connections in progress. */
  connections: ConnectionLog;
  liveSessions: LiveSessions;
  /** Session recordings (design 0006). */
  recordings: Recordings;
  /** Data paths other local users can read (an older or hand-made data folder), also logged as warnings. */
  looseModes: LooseMode[];
  /** Re-reads the user's certificate files (SIGHUP). */
  reloadTls(): TlsMaterial | undefined;
  close(): Promise<void>;
}

/**
 * The composition root minus listen(): storage → migrations → subscription → declared inventory and
 * users → first admin → TLS material → Fastify app. Tests and main.ts both use it.
 */
export async function createBastion(config: BastionConfig, opts: { logger?: boolean | object; webRoot?: string } = {}): Promise<Bastion> {
  const dataDir = resolve(config.dataDir);
  const recordingsDir = resolve(config.recordings.dir ?? join(dataDir, 'recordings'));
  prepareFolders(config, dataDir, recordingsDir);

  const store = await openStore({ url: config.database.url, sqliteFile: join(dataDir, 'bastion.db') });
  try {
    const subscriptionId = await ensureSubscriptionId(store.db, config);
    const inventory = new InventoryService(store.db, subscriptionId);
    if (config.inventory) await applyInventoryConfig(inventory, config.inventory);
    const users = new UserDirectory(store.db);
    await ensureDeclaredUsers(users, config);
    const tls = config.server.tls ? loadTlsFiles(config.server.tls.certFile, config.server.tls.keyFile) : await ensureSelfSignedCertificate(dataDir, config.server.publicUrl ? [new URL(config.server.publicUrl).hostname] : []);
    const roles = new RoleStore(store.db);
    const checker = new AccessChecker(roles, inventory);
    const masterKey = ensureMasterKey(config.vault, dataDir);
    const vault = new VaultStore(store.db, masterKey.masterKey);
    await ensureDeclaredRoleAssignments(store.db, roles, config);
    const sessionTtlMs = config.security.sessionTtlMinutes * 60_000;
    const sessions = new WebSessions(store.db, sessionTtlMs);
    await sessions.pruneExpired();
    // Connections a previous run left open (it crashed or was killed) end now, as 'interrupted'.
    const connections = new ConnectionLog(store.db);
    await connections.closeInterrupted(new Date());
    // Recordings too: a killed run's open files become 'interrupted', cut after their last whole line.
    let app: FastifyInstance | undefined;
    const recordings = new Recordings(store.db, new AuditLog(store.db), { ...recordingSettings(config), dir: recordingsDir }, {
      error: (obj, msg) => app?.log.error(obj, msg),
      warn: (obj, msg) => app?.log.warn(obj, msg),
    });
    await recordings.recoverInterrupted();
    const liveSessions = new LiveSessions({ persistMs: (config.sessions?.persistSeconds ?? LIVE_PERSIST_MS / 1000) * 1000 });
    app = await buildApp({
      db: store.db,
      users,
      sessions,
      audit: new AuditLog(store.db),
      limiter: new LoginRateLimiter(config.security.login),
      inventory,
      roles,
      checker,
      subscriptionName: config.inventory?.subscription?.name ?? 'Bastion',
      sessionTtlMs,
      webRoot: opts.webRoot ?? DEFAULT_WEB_ROOT,
      publicUrl: config.server.publicUrl,
      allowedHosts: config.server.allowedHosts,
      https: { cert: tls.cert, key: tls.key },
      logger: opts.logger ?? false,
      trustProxy: config.server.trustProxy,
      connectionLimits: connectionLimitsOf(config),
      sshTickets: new SshTicketStore(),
      hostKeys: new HostKeyTrust(store.db),
      connections,
      liveSessions,
      vault,
      recordings,
      metricsToken: config.metrics?.token,
    });
    const dbFiles = store.dialect === 'sqlite' ? ['', '-wal', '-shm'].map((s) => `${store.where}${s}`) : [];
    const tlsKey = config.server.tls?.keyFile ?? join(dataDir, 'tls', 'bastion-key.pem');
    const loose = looseModes([dataDir, ...dbFiles, join(dataDir, 'tls'), tlsKey, masterKey.keyFile, recordingsDir]);
    for (const l of loose) app.log.warn({ path: l.path, mode: l.mode }, l.message);
    const unusedConnections = trackUnusedConnections(app.server);
    // Retention: now and daily (the timer stops when the app closes).
    await recordings.startRetention();
    // Last, so that a start that fails earlier does not swallow the one-time password.
    const firstAdmin = await ensureFirstAdmin(store.db, users, roles, config);
    const reloadTls = (): TlsMaterial | undefined => {
      if (!config.server.tls) return undefined;
      const next = loadTlsFiles(config.server.tls.certFile, config.server.tls.keyFile);
      (app.server as import('node:https').Server).setSecureContext({ cert: next.cert, key: next.key });
      return next;
    };
    return {
      app,
      store,
      tls,
      firstAdmin,
      subscriptionId,
      recordingsDir,
      connections,
      liveSessions,
      recordings,
      looseModes: loose,
      reloadTls,
      close: async () => {
        unusedConnections.destroy();
        await app.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
