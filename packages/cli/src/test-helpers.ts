import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Io, ServerModule } from './io.js';
import { run } from './main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
  /** stdout parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
}

/** A temporary data directory with a config file; `cli(...)` runs commands against it in-process. */
export function tempBastion(configYaml = '') {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-cli-'));
  const configFile = join(dir, 'bastion.yaml');
  writeFileSync(configFile, `dataDir: ${join(dir, 'data')}\n${configYaml}`);
  const cli = async (argv: string[], opts: { stdin?: string; importServer?: () => Promise<ServerModule>; withConfig?: boolean } = {}): Promise<CliResult> => {
    let out = '';
    let err = '';
    const io: Io = {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      readSecret: () => Promise.resolve((opts.stdin ?? '').split('\n')[0] ?? ''),
      readStdin: () => Promise.resolve(opts.stdin ?? ''),
      env: {},
      importServer: opts.importServer ?? (() => Promise.reject(new Error('no server in tests'))),
    };
    const code = await run(opts.withConfig === false ? argv : [...argv, '--config', configFile], io);
    return { code, out, err, json: <T>() => JSON.parse(out) as T };
  };
  return { dir, configFile, cli, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
