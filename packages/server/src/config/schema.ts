import { Type, type Static } from '@sinclair/typebox';

/**
 * The configuration file's schema. Unknown keys are refused (a typo such as `sever.port` must not be
 * silently ignored). Defaults live in defaults.ts, not here, so the schema reads as the file's shape.
 */
const Name = Type.String({ minLength: 1, maxLength: 80 });
const Cidr = Type.String({ minLength: 9, maxLength: 18 });
const Strict = { additionalProperties: false } as const;

const NicConfig = Type.Object(
  { name: Name, virtualNetwork: Name, subnet: Name, privateIpAddress: Type.String({ minLength: 7, maxLength: 15 }) },
  Strict,
);

/** A bastion's Standard-tier switches (design 0007); also accepted in the ARM PUT body's properties. */
export const BastionFeatureFields = {
  enableIpConnect: Type.Optional(Type.Boolean()),
  enableShareableLink: Type.Optional(Type.Boolean()),
  /** Azure's: no text clipboard in the browser RDP/SSH clients (issue 5). */
  disableCopyPaste: Type.Optional(Type.Boolean()),
  onPremisesRanges: Type.Optional(Type.Array(Cidr, { maxItems: 64 })),
  /** Azure's "Native client support" (CLI tunnels); default true here (Azure: false). */
  enableTunneling: Type.Optional(Type.Boolean()),
  /** false: this bastion's sessions are not recorded; true (default): they follow `recordings`. */
  enableSessionRecording: Type.Optional(Type.Boolean()),
};

/** A bastion's session limits (design 0005), in minutes: 0 turns one off; fractions are allowed (tests use seconds). */
const LimitMinutes = Type.Number({ minimum: 0, maximum: 10_080 });
export const SessionLimitFields = { idleTimeoutMinutes: Type.Optional(LimitMinutes), maxSessionMinutes: Type.Optional(LimitMinutes) };

export const InventoryConfigSchema = Type.Object(
  {
    subscription: Type.Optional(Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), name: Type.Optional(Name) }, Strict)),
    resourceGroups: Type.Optional(Type.Array(Type.Object({ name: Name, location: Type.Optional(Name) }, Strict))),
    virtualNetworks: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Name,
            resourceGroup: Name,
            addressSpace: Type.Array(Cidr, { minItems: 1 }),
            subnets: Type.Optional(Type.Array(Type.Object({ name: Name, addressPrefix: Cidr }, Strict))),
            peerings: Type.Optional(Type.Array(Name)),
          },
          Strict,
        ),
      ),
    ),
    virtualMachines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Name,
            resourceGroup: Name,
            osType: Type.Union([Type.Literal('linux'), Type.Literal('windows')]),
            tags: Type.Optional(Type.Record(Type.String(), Type.String())),
            nics: Type.Array(NicConfig, { minItems: 1 }),
          },
          Strict,
        ),
      ),
    ),
    bastionHosts: Type.Optional(Type.Array(Type.Object({ name: Name, resourceGroup: Name, virtualNetwork: Name, ...BastionFeatureFields, ...SessionLimitFields }, Strict))),
  },
  Strict,
);

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1 }),
    server: Type.Object(
      {
        host: Type.String({ minLength: 1 }),
        port: Type.Integer({ minimum: 1, maximum: 65535 }),
        publicUrl: Type.Optional(Type.String({ pattern: '^https://' })),
        /** More host names (or addresses) the bastion answers to; any other Host header is refused (421). */
        allowedHosts: Type.Optional(Type.Array(Type.String({ pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)$' }), { maxItems: 64 })),
        tls: Type.Optional(Type.Object({ certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) }, Strict)),
        trustProxy: Type.Boolean(),
        /** Issue 13: TLS must finish within this after the TCP accept (default 10). */
        tlsHandshakeTimeoutSeconds: Type.Optional(Type.Number({ minimum: 0.5, maximum: 120 })),
        /** After TLS, the first request's headers must arrive within this (default 30). */
        requestHeadersTimeoutSeconds: Type.Optional(Type.Number({ minimum: 1, maximum: 300 })),
        /** Open TCP connections per peer address (behind a proxy: the proxy's); 0 = no limit (default 256). */
        maxConnectionsPerAddress: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
      },
      Strict,
    ),
    database: Type.Object({ url: Type.Optional(Type.String({ pattern: '^(postgres(ql)?|sqlite)://' })) }, Strict),
    // Session recordings (design 0006); unset keys take RECORDING_DEFAULTS (defaults.ts).
    recordings: Type.Object(
      {
        dir: Type.Optional(Type.String({ minLength: 1 })),
        retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_500 })),
        onFailure: Type.Optional(Type.Union([Type.Literal('continue'), Type.Literal('disconnect')])),
        ssh: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()), input: Type.Optional(Type.Boolean()) }, Strict)),
        rdp: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, Strict)),
      },
      Strict,
    ),
    log: Type.Object(
      {
        level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
      },
      Strict,
    ),
    security: Type.Object(
      {
        sessionTtlMinutes: Type.Integer({ minimum: 1, maximum: 43_200 }),
        login: Type.Object(
          {
            maxFailures: Type.Integer({ minimum: 1, maximum: 1000 }),
            windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
            // Design 0008: per client address over all usernames, and the account's growing delay.
            ipMaxFailures: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            accountDelaySeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
            accountMaxDelaySeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
          },
          Strict,
        ),
      },
      Strict,
    ),
    admin: Type.Object({ username: Type.String({ pattern: '^[a-zA-Z0-9_.-]{1,64}$' }) }, Strict),
    // Live connections' byte counters and last-seen time reach the database this often (issue 13): what a crash loses.
    sessions: Type.Optional(Type.Object({ persistSeconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 60 })) }, Strict)),
    // GET /metrics: Prometheus sends `Authorization: Bearer <token>`; without a token only admins (signed in) may read it.
    metrics: Type.Optional(Type.Object({ token: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })) }, Strict)),
    // The key vault's master key (32 bytes, base64) inline or in a file; neither: <dataDir>/vault.key, made on first start.
    vault: Type.Optional(Type.Object({ key: Type.Optional(Type.String({ minLength: 1 })), keyFile: Type.Optional(Type.String({ minLength: 1 })) }, Strict)),
    users: Type.Array(
      Type.Object(
        {
          username: Type.String({ pattern: '^[a-zA-Z0-9_.-]{1,64}$' }),
          password: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
          passwordHash: Type.Optional(Type.String({ minLength: 1 })),
          displayName: Type.Optional(Type.String({ maxLength: 128 })),
          groups: Type.Optional(Type.Array(Name)),
        },
        Strict,
      ),
    ),
    inventory: Type.Optional(InventoryConfigSchema),
    roleAssignments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            assignee: Type.String({ minLength: 1, maxLength: 128 }),
            assigneeType: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('group')])),
            role: Type.String({ minLength: 1, maxLength: 128 }),
            scope: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          Strict,
        ),
      ),
    ),
  },
  Strict,
);

export type BastionConfig = Static<typeof ConfigSchema>;
export type InventoryConfig = Static<typeof InventoryConfigSchema>;
