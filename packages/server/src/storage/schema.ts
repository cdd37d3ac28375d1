import type { Generated } from 'kysely';

/**
 * Table shapes, shared by SQLite and PostgreSQL. Portable column types only: text, integer (booleans are
 * 0/1), ISO-8601 UTC timestamps as text (they sort correctly), JSON as text.
 */
export interface ResourcesTable {
  /** Lower-cased resource ID: Azure IDs are case-insensitive. */
  id_key: string;
  /** Resource ID as first written (canonical segment casing, names as the user spelled them). */
  id: string;
  type: string;
  subscription_id: string;
  resource_group: string | null;
  name: string;
  /** id_key of the parent resource (subnet → virtual network), else null. */
  parent_key: string | null;
  location: string | null;
  tags: string;
  properties: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  display_name: string;
  password_hash: string;
  is_admin: number;
  must_change_password: number;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  id: string;
  name: string;
  name_key: string;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface WebSessionsTable {
  /** SHA-256 of the cookie value: a leaked database does not yield usable cookies. */
  id_hash: string;
  user_id: string;
  csrf_token: string;
  client_ip: string;
  user_agent: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  time: string;
  type: string;
  code: string;
  actor: string | null;
  client_ip: string | null;
  user_agent: string | null;
  target: string | null;
  outcome: string;
  message: string;
  details: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  resources: ResourcesTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  web_sessions: WebSessionsTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
}
