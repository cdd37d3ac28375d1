import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditLog } from '../../audit/audit-log.js';
import type { UserDirectory } from '../../identity/users.js';
import type { WebSessions } from '../../identity/web-sessions.js';
import type { LiveSessions } from '../../sessions/live-sessions.js';
import { ACTIONS, TENANT_SCOPE, type RoleStore } from '../../rbac/index.js';
import { exportHeaders, toCsv, toJsonLines } from '../../audit/export.js';
import { validationError } from '../../errors.js';
import { generateOneTimePassword, hashPassword } from '../../identity/password.js';
import { auditLastOwnerRefusal } from '../last-owner-refusal.js';
import { instant } from './connection-log-routes.js';
import { UserSchema } from './schemas.js';

/** Users, groups and the audit log (tenant-level actions at scope "/"). */
export const identityRoutes =
  (deps: { users: UserDirectory; sessions: WebSessions; audit: AuditLog; roles: RoleStore; live?: LiveSessions | undefined }): FastifyPluginAsyncTypebox =>
  async (app) => {
    const on = (action: string) => ({ access: { kind: 'resource' as const, action, resource: () => TENANT_SCOPE } });
    const who = (request: { user: { username: string } | null; ip: string; headers: Record<string, unknown> }) => ({
      actor: request.user?.username ?? null,
      clientIp: request.ip,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
    });
    const Username = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
    const GroupName = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

    app.get('/api/users', { config: on(ACTIONS.users.read), schema: { tags: ['identity'], summary: 'List users', response: { 200: Type.Object({ value: Type.Array(UserSchema) }) } } }, async () => ({ value: await deps.users.list() }));

    app.post(
      '/api/users',
      {
        config: on(ACTIONS.users.write),
        schema: {
          tags: ['identity'],
          summary: 'Create a local user',
          body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }), displayName: Type.Optional(Type.String({ maxLength: 128 })) }, { additionalProperties: false }),
          response: { 201: UserSchema },
        },
      },
      async (request, reply) => {
        // Hashed first (scrypt), then the user and its audit event in one transaction (design 0009).
        const { password, ...rest } = request.body;
        const passwordHash = await deps.users.hashNewPassword(password);
        const user = await deps.audit.change(async (tx) => {
          const user = await deps.users.in(tx).create({ ...rest, passwordHash });
          await deps.audit.writeIn(tx, { ...who(request), type: 'user.created', outcome: 'success', target: user.username, message: `User ${user.username} created.` });
          return user;
        });
        return reply.code(201).send(user);
      },
    );

    app.get('/api/users/:username', { config: on(ACTIONS.users.read), schema: { tags: ['identity'], summary: 'Get a user', params: Username, response: { 200: UserSchema } } }, async (request) => deps.users.get(request.params.username));

    app.delete('/api/users/:username', { config: on(ACTIONS.users.delete), schema: { tags: ['identity'], summary: 'Delete a user', params: Username } }, async (request, reply) => {
      // One transaction: the user, their assignments and memberships (refused for the last Owner at '/').
      await auditLastOwnerRefusal(deps.audit, request, request.params.username, () =>
        deps.audit.change(async (tx) => {
          await deps.users.in(tx).delete(request.params.username);
          await deps.audit.writeIn(tx, { ...who(request), type: 'user.deleted', outcome: 'success', target: request.params.username, message: `User ${request.params.username} deleted.` });
        }),
      );
      return reply.code(204).send();
    });

    app.post('/api/users/:username/resetPassword', { config: on(ACTIONS.users.write), schema: { tags: ['identity'], summary: "Reset a user's password to a one-time password (shown once; they must change it at next sign-in)", params: Username, response: { 200: Type.Object({ user: UserSchema, oneTimePassword: Type.String() }) } } }, async (request) => {
      const oneTimePassword = generateOneTimePassword();
      const hash = await hashPassword(oneTimePassword); // scrypt before the transaction (design 0009)
      const user = await deps.audit.change(async (tx) => {
        const user = await deps.users.in(tx).resetPassword(request.params.username, hash);
        await deps.audit.writeIn(tx, { ...who(request), type: 'user.password.reset', outcome: 'success', target: user.username, message: `Password of ${user.username} reset to a one-time password.` });
        return user;
      });
      // The old password's sign-ins end: whoever held them must now know the one-time password.
      await deps.sessions.destroyAllFor(user.id);
      return { user, oneTimePassword };
    });

    app.patch('/api/users/:username', { config: on(ACTIONS.users.write), schema: { tags: ['identity'], summary: 'Disable or enable a user', params: Username, body: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }), response: { 200: UserSchema } } }, async (request) => {
      const { disabled } = request.body;
      const user = await auditLastOwnerRefusal(deps.audit, request, request.params.username, () =>
        deps.audit.change(async (tx) => {
          const user = await deps.users.in(tx).setDisabled(request.params.username, disabled);
          await deps.audit.writeIn(tx, { ...who(request), type: disabled ? 'user.disabled' : 'user.enabled', outcome: 'success', target: user.username, message: `User ${user.username} ${disabled ? 'disabled' : 'enabled'}.` });
          return user;
        }),
      );
      // Cookies of a disabled user already stop working (getById skips them); removing them ends the sign-ins for good.
      if (disabled) {
        await deps.sessions.destroyAllFor(user.id);
        // Their live SSH, RDP and tunnel connections end too (recorded as ended by the server, like a Disconnect).
        const theirs = (deps.live?.list() ?? []).filter((s) => s.info.principalName.toLowerCase() === user.username.toLowerCase());
        await Promise.all(theirs.map((s) => s.terminate('terminated', 'Your account was disabled by an administrator.')));
      }
      return user;
    });

    const GroupSchema = Type.Object({ id: Type.String(), name: Type.String(), members: Type.Array(Type.String()) });
    app.get('/api/groups', { config: on(ACTIONS.groups.read), schema: { tags: ['identity'], summary: 'List groups', response: { 200: Type.Object({ value: Type.Array(GroupSchema) }) } } }, async () => ({ value: await deps.users.listGroups() }));

    app.post('/api/groups', { config: on(ACTIONS.groups.write), schema: { tags: ['identity'], summary: 'Create a group', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }) } }, async (request, reply) => {
      const group = await deps.audit.change(async (tx) => {
        const group = await deps.users.in(tx).createGroup(request.body.name);
        await deps.audit.writeIn(tx, { ...who(request), type: 'group.created', outcome: 'success', target: group.name, message: `Group ${group.name} created.` });
        return group;
      });
      return reply.code(201).send({ ...group, members: [] });
    });

    app.delete('/api/groups/:name', { config: on(ACTIONS.groups.delete), schema: { tags: ['identity'], summary: 'Delete a group', params: GroupName } }, async (request, reply) => {
      await auditLastOwnerRefusal(deps.audit, request, request.params.name, () =>
        deps.audit.change(async (tx) => {
          await deps.users.in(tx).deleteGroup(request.params.name);
          await deps.audit.writeIn(tx, { ...who(request), type: 'group.deleted', outcome: 'success', target: request.params.name, message: `Group ${request.params.name} deleted.` });
        }),
      );
      return reply.code(204).send();
    });

    const Member = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }), username: Type.String({ minLength: 1, maxLength: 64 }) });
    for (const [method, member] of [['PUT', true], ['DELETE', false]] as const) {
      app.route({
        method,
        url: '/api/groups/:name/members/:username',
        config: on(ACTIONS.groups.write),
        schema: { tags: ['identity'], summary: member ? 'Add a user to a group' : 'Remove a user from a group', params: Member },
        handler: async (request, reply) => {
          await auditLastOwnerRefusal(deps.audit, request, request.params.name, () =>
            deps.audit.change(async (tx) => {
              await deps.users.in(tx).setMembership(request.params.name, request.params.username, member);
              await deps.audit.writeIn(tx, { ...who(request), type: member ? 'group.member.added' : 'group.member.removed', outcome: 'success', target: request.params.name, message: `${request.params.username} ${member ? 'added to' : 'removed from'} ${request.params.name}.` });
            }),
          );
          return reply.code(204).send();
        },
      });
    }

    app.get(
      '/api/audit',
      {
        config: on(ACTIONS.auditEvents.read),
        schema: {
          tags: ['audit'],
          summary: 'Audit events, newest first (format=jsonl|csv downloads them)',
          querystring: Type.Object({
            type: Type.Optional(Type.String({ maxLength: 64 })),
            actor: Type.Optional(Type.String({ maxLength: 128 })),
            outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')])),
            target: Type.Optional(Type.String({ maxLength: 1024 })),
            since: Type.Optional(Type.String({ maxLength: 40 })),
            until: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('jsonl'), Type.Literal('csv')])),
          }),
        },
      },
      async (request, reply) => {
        // Design 0005: the same filters for the page, the API and the exports.
        const { format, ...q } = request.query;
        const download = format === 'jsonl' || format === 'csv';
        if (!download && q.limit !== undefined && q.limit > 1000) throw validationError('limit must be at most 1000 for a JSON page (use format=jsonl or csv to export more).');
        const events = await deps.audit.list({ ...q, since: instant('since', q.since), until: instant('until', q.until), limit: q.limit ?? (download ? 10_000 : 100) });
        if (format === 'jsonl') return reply.headers(exportHeaders('jsonl', 'bastion-audit-events')).send(toJsonLines(events));
        if (format === 'csv') return reply.headers(exportHeaders('csv', 'bastion-audit-events')).send(toCsv(events, ['id', 'time', 'type', 'code', 'outcome', 'actor', 'clientIp', 'userAgent', 'target', 'message', 'details']));
        return { value: events };
      },
    );
  };
