import { Type } from '@sinclair/typebox';

/** Response schemas shared by routes (they also keep internal fields out of responses). */
export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  isAdmin: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  disabled: Type.Optional(Type.Boolean()),
  groups: Type.Array(Type.String()),
  permissions: Type.Optional(Type.Object({ manageAccess: Type.Boolean(), manageIdentity: Type.Boolean(), readAudit: Type.Boolean(), viewSessions: Type.Optional(Type.Boolean()), readRecordings: Type.Optional(Type.Boolean()) })),
});

export const ResourceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: Type.String(),
  resourceGroup: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Record(Type.String(), Type.String()),
  properties: Type.Any(),
});

export const ListOf = <T extends ReturnType<typeof Type.Object>>(item: T) => Type.Object({ value: Type.Array(item) });

export const Tags = Type.Record(Type.String({ maxLength: 512 }), Type.String({ maxLength: 256 }), { maxProperties: 50 });
export const NameParam = Type.String({ minLength: 1, maxLength: 80 });

/** `:sub/:rg/:name` of an ARM resource URL. */
export const ArmResourceParams = Type.Object({ sub: Type.String({ maxLength: 80 }), rg: Type.String({ maxLength: 80 }), name: Type.String({ maxLength: 80 }) });
