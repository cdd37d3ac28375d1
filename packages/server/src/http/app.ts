import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { MAX_FRAME } from '../../../protocol/src/ssh-messages.js';
import type { AuditLog } from '../audit/audit-log.js';
import { ConnectionLog } from '../audit/connection-log.js';
import { HostKeyTrust } from '../gateway/ssh/index.js';
import { SshTicketStore } from '../gateway/ssh/tickets.js';
import type { LoginRateLimiter } from '../identity/rate-limiter.js';
import type { UserDirectory } from '../identity/users.js';
import type { WebSessions } from '../identity/web-sessions.js';
import { ApiTokens } from '../identity/api-tokens.js';
import type { InventoryService } from '../inventory/service.js';
import type { AccessChecker, RoleStore } from '../rbac/index.js';
import { BastionMetrics } from '../metrics/bastion-metrics.js';
import { LiveSessions } from '../sessions/live-sessions.js';
import type { Database } from '../storage/schema.js';
import type { VaultStore } from '../vault/index.js';
import { withRedactedRequests } from './log-serializers.js';
import { refusalAudit } from '../audit/refusal-limiter.js';
import { CONNECTION_LIMIT_DEFAULTS, limitConnectionsPerAddress, serverTimeoutOptions, type ConnectionLimits } from './connection-limits.js';
import { registerAuthentication } from './plugins/authentication.js';
import { registerAuthorization } from './plugins/authorization.js';
import { hostPolicy, registerHostCheck } from './plugins/allowed-hosts.js';
import { registerCanonicalPath } from './plugins/canonical-path.js';
import { onFrameworkError, registerErrorHandling } from './plugins/errors.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { authRoutes } from './routes/auth-routes.js';
import { apiTokenRoutes } from './routes/api-token-routes.js';
import { tunnelRoutes } from './routes/tunnel-routes.js';
import { shareableLinkRoutes } from './routes/shareable-link-routes.js';
import { shareRoutes } from './routes/share-routes.js';
import { ipSshRoutes } from './routes/ip-ssh-routes.js';
import { ShareableLinks } from '../sharing/shareable-links.js';
import { healthRoutes } from './routes/health-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { identityRoutes } from './routes/identity-routes.js';
import { inventoryRoutes } from './routes/inventory-routes.js';
import { rbacRoutes } from './routes/rbac-routes.js';
import { recordingsRoutes } from './routes/recordings-routes.js';
import type { Recordings } from '../recordings/index.js';
import { connectionLogRoutes } from './routes/connection-log-routes.js';
import { sshHostKeyRoutes } from './routes/ssh-host-key-routes.js';
import { rdpRoutes } from './routes/rdp-routes.js';
import { sshRoutes } from './routes/ssh-routes.js';
import { vaultRoutes } from './routes/vault-routes.js';
import { registerWebClient } from './web-client.js';
import { answerPlainHttpOnWebSocketRoutes } from './websocket-plain-http.js';
import { onWebSocketError } from './websocket-socket-errors.js';

export interface AppDeps {
  db: Kysely<Database>;
  users: UserDirectory;
  sessions: WebSessions;
  audit: AuditLog;
  limiter: LoginRateLimiter;
  inventory: InventoryService;
  roles: RoleStore;
  checker: AccessChecker;
  subscriptionName: string;
  sessionTtlMs: number;
  /** Folder of the built web client; served when it exists. */
  webRoot?: string;
  /** server.publicUrl: the origin of generated URLs; with it, only its host name (and allowedHosts) is answered. */
  publicUrl?: string | undefined;
  /** server.allowedHosts: more host names the bastion answers to (plugins/allowed-hosts.ts). */
  allowedHosts?: readonly string[] | undefined;
  https?: { cert: string; key: string } | undefined;
  logger?: boolean | object;
  trustProxy?: boolean;
  /** Browser SSH connect tickets (in memory); one is created when absent. */
  sshTickets?: SshTicketStore;
  /** VM host key pinning; one over `db` is created when absent. */
  hostKeys?: HostKeyTrust;
  /** Connection records (bastion_audit_logs); one over `db` is created when absent. */
  connections?: ConnectionLog;
  /** Connections in progress, ended as 'server_shutdown' when the app closes; created when absent. */
  liveSessions?: LiveSessions;
  /** Key vaults and their secrets; without one, the vault routes and vault-secret Connect answer 409. */
  vault?: VaultStore | undefined;
  /** Session recordings (design 0006); without it sessions are not recorded and the routes are absent. */
  recordings?: Recordings | undefined;
  /** CLI bearer tokens (design 0007); one over `db` is created when absent. */
  apiTokens?: ApiTokens;
  /** `metrics.token`: the bearer token Prometheus sends to GET /metrics (admins may always look). */
  metricsToken?: string | undefined;
  /** TLS handshake and first-request timeouts, connections per client address (connection-limits.ts); defaults when absent. */
  connectionLimits?: ConnectionLimits | undefined;
}

/** Builds the Fastify application; `listen()` is the caller's (tests use `inject()`). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // Request logs go through a serializer that redacts the connect ticket from URLs.
  const logging = withRedactedRequests(deps.logger);
  const limits = deps.connectionLimits ?? CONNECTION_LIMIT_DEFAULTS;
  const app = Fastify({
    ...logging,
    https: deps.https ? { cert: deps.https.cert, key: deps.https.key, minVersion: 'TLSv1.2' as const, ...serverTimeoutOptions(limits) } : null,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: 256 * 1024,
    frameworkErrors: onFrameworkError,
    // Fastify's Ajv default (removeAdditional: true) silently drops unknown body properties even where a
    // schema says additionalProperties: false; a typo in a field name must be a 400 naming it instead.
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandling(app);
  registerSecurityHeaders(app);
  // Issue 13: a client may hold only so many connections; refusal summaries are written before the store closes.
  limitConnectionsPerAddress(app.server, limits.maxConnectionsPerAddress, (address, open) => app.log.warn({ address, open }, 'connection refused: too many connections from this address (server.maxConnectionsPerAddress)'));
  app.addHook('preClose', async () => refusalAudit(deps.audit).flush());
  // First of all hooks: one spelling of every path, and only this bastion's host names (issue #12).
  registerCanonicalPath(app);
  const hosts = hostPolicy({ publicUrl: deps.publicUrl, allowedHosts: deps.allowedHosts });
  registerHostCheck(app, hosts);
  await app.register(fastifyCookie);
  const connections = deps.connections ?? new ConnectionLog(deps.db);
  const live = deps.liveSessions ?? new LiveSessions();
  // Added before @fastify/websocket's own preClose (which closes every socket), so that open sessions end
  // as 'server_shutdown', with their records written before the store closes.
  app.addHook('preClose', async () => live.shutdown());
  // Live rows' figures and last-seen time, every few seconds: what a crash leaves (issue 13). Stops with the app.
  const stopPersisting = live.persistTo(connections, (err) => app.log.error({ err }, 'live connection figures not written'));
  app.addHook('onClose', async () => stopPersisting());
  answerPlainHttpOnWebSocketRoutes(app); // before the plugin: its onRoute hook must see the result
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_FRAME }, errorHandler: (error, socket, request) => onWebSocketError(error, socket, request) });
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Bastion API', version: '0.1.0', description: 'Inventory (ARM-shaped), identity, audit. Errors: { error: { code, message, statusCode } }.' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'bastion_session' }, csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' }, bearer: { type: 'http', scheme: 'bearer', description: 'A CLI token from POST /api/auth/tokens (bastion login); no CSRF token needed.' } } },
      security: [{ session: [], csrf: [] }, { bearer: [] }],
    },
  });
  const allowedOrigins = hosts.allowedOrigins;
  const apiTokens = deps.apiTokens ?? new ApiTokens(deps.db);
  registerAuthentication(app, { users: deps.users, sessions: deps.sessions, allowedOrigins, apiTokens });
  registerAuthorization(app, { db: deps.db, checker: deps.checker, audit: deps.audit });

  await app.register(healthRoutes({ db: deps.db, live, recordingsDir: deps.recordings?.settings.dir }));
  await app.register(metricsRoutes({ metrics: new BastionMetrics(live, deps.audit, connections), token: deps.metricsToken }));
  await app.register(authRoutes({ ...deps, apiTokens }));
  await app.register(apiTokenRoutes({ users: deps.users, audit: deps.audit, limiter: deps.limiter, apiTokens }));
  await app.register(identityRoutes({ ...deps, live }));
  await app.register(inventoryRoutes(deps));
  await app.register(rbacRoutes(deps));
  await app.register(vaultRoutes({ vault: deps.vault, audit: deps.audit }));
  const sshTickets = deps.sshTickets ?? new SshTicketStore();
  app.addHook('onClose', async () => sshTickets.clear());
  await app.register(sshRoutes({ db: deps.db, audit: deps.audit, inventory: deps.inventory, tickets: sshTickets, hostKeys: deps.hostKeys ?? new HostKeyTrust(deps.db), allowedOrigins, vault: deps.vault, connections, live, recordings: deps.recordings }));
  await app.register(sshHostKeyRoutes({ hostKeys: deps.hostKeys ?? new HostKeyTrust(deps.db), inventory: deps.inventory, audit: deps.audit }));
  await app.register(connectionLogRoutes({ connections }));
  await app.register(sessionRoutes({ live, inventory: deps.inventory, audit: deps.audit }));
  await app.register(rdpRoutes({ db: deps.db, audit: deps.audit, inventory: deps.inventory, allowedOrigins, publicOrigin: hosts.publicOrigin, connections, live, recordings: deps.recordings }));
  if (deps.recordings) {
    const recordings = deps.recordings;
    await app.register(recordingsRoutes({ recordings, audit: deps.audit, allowedOrigins }));
    // After the sessions' own ends (preClose): closes what is still open and stops the retention timer.
    app.addHook('onClose', async () => recordings.dispose());
  }
  await app.register(tunnelRoutes({ audit: deps.audit, inventory: deps.inventory, connections, live, allowedOrigins }));
  // Design 0007: shareable links (admin actions on the bastion) and what a link's visitor may do.
  const links = new ShareableLinks(deps.db);
  await app.register(shareableLinkRoutes({ audit: deps.audit, inventory: deps.inventory, links, live, publicOrigin: hosts.publicOrigin }));
  await app.register(ipSshRoutes({ audit: deps.audit, inventory: deps.inventory, hostKeys: deps.hostKeys ?? new HostKeyTrust(deps.db), connections, live, allowedOrigins, vault: deps.vault, recordings: deps.recordings }));
  await app.register(shareRoutes({ audit: deps.audit, inventory: deps.inventory, links, hostKeys: deps.hostKeys ?? new HostKeyTrust(deps.db), connections, live, allowedOrigins, recordings: deps.recordings }));
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await registerWebClient(app, deps.webRoot ?? '');
  return app;
}
