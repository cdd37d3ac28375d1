import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { DEFAULT_CONFIG } from './defaults.js';
import { ConfigSchema, type BastionConfig } from './schema.js';

/** Thrown for any configuration problem; the message names the key and what is wrong. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Path of the YAML file; when absent, ./bastion.yaml is used if it exists. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Extra YAML documents merged after the file and before the environment (e.g. the testbed inventory). */
  overlays?: unknown[];
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isTree(base) || !isTree(over)) return over === undefined ? base : over;
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

const snakeToCamel = (s: string): string => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** BASTION_SERVER__PORT=9443 → { server: { port: 9443 } }. Values are read as YAML scalars. */
export function envOverrides(env: NodeJS.ProcessEnv): Tree {
  const out: Tree = {};
  const topKeys = new Set(Object.keys(ConfigSchema.properties));
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('BASTION_') || raw === undefined || name === 'BASTION_CONFIG') continue;
    const path = name.slice('BASTION_'.length).split('__').map(snakeToCamel);
    if (!topKeys.has(path[0] ?? '')) continue; // other BASTION_* variables belong to tools, not to the server
    // Numbers and booleans are read as such; anything else (including "::" or "a: b") stays a string.
    let value: unknown = raw;
    try {
      const scalar: unknown = parseYaml(raw);
      if (typeof scalar === 'number' || typeof scalar === 'boolean') value = scalar;
    } catch {
      /* keep the raw string */
    }
    let node = out;
    path.slice(0, -1).forEach((seg) => {
      node[seg] = isTree(node[seg]) ? node[seg] : {};
      node = node[seg] as Tree;
    });
    node[path[path.length - 1]!] = value;
  }
  return out;
}

function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(err as Error).message}`);
  }
  try {
    const doc = parseYaml(text) as unknown;
    if (doc === null || doc === undefined) return {};
    if (!isTree(doc)) throw new ConfigError(`Configuration file ${file} must be a YAML mapping at the top level.`);
    return doc;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const detail = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`Configuration file ${file} is not valid YAML: ${detail}`);
  }
}

const jsonPathToKey = (p: string): string => p.replace(/^\//, '').split('/').join('.') || '(top level)';

/** Validates a merged configuration tree; throws ConfigError naming the first bad keys. */
export function validateConfig(tree: unknown, source = 'configuration'): BastionConfig {
  if (Value.Check(ConfigSchema, tree)) return tree;
  const problems: string[] = [];
  for (const e of Value.Errors(ConfigSchema, tree)) {
    const shown = e.value === undefined ? '' : ` (got ${JSON.stringify(e.value)?.slice(0, 60)})`;
    const msg = e.message === 'Unexpected property' ? 'unknown key' : e.message.toLowerCase();
    problems.push(`${jsonPathToKey(e.path)}: ${msg}${msg === 'unknown key' ? '' : shown}`);
    if (problems.length >= 5) break;
  }
  throw new ConfigError(`Invalid ${source}: ${[...new Set(problems)].join('; ')}`);
}

export interface LoadedConfig {
  config: BastionConfig;
  file: string | undefined;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const requested = options.file ?? env.BASTION_CONFIG;
  const file = requested ?? (existsSync('bastion.yaml') ? 'bastion.yaml' : undefined);
  let tree: unknown = structuredClone(DEFAULT_CONFIG);
  if (file) tree = deepMerge(tree, readYamlFile(resolve(file)));
  for (const overlay of options.overlays ?? []) tree = deepMerge(tree, overlay);
  tree = deepMerge(tree, envOverrides(env));
  const config = validateConfig(tree, file ? `configuration (${file})` : 'configuration');
  return { config, file };
}

export { readYamlFile };
