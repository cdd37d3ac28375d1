import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface RunningBastion {
  url: string;
  port: number;
  dataDir: string;
  output: () => string;
  firstAdmin: { username: string; password: string } | undefined;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  process: ChildProcess;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

/**
 * Starts the built bastion (`node bin/bastion.mjs start`) exactly as a user would, on a free port with
 * a fresh data folder, and waits for its "running at" line. Stopped by its own PID only.
 */
export async function startBastionProcess(opts: { configYaml?: string; serverYaml?: string; env?: Record<string, string>; /** Reuse this data folder (a restart) instead of a fresh one. */ dataDir?: string } = {}): Promise<RunningBastion> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bastion-e2e-'));
  const port = await freePort();
  const configFile = join(dataDir, 'bastion.yaml');
  writeFileSync(configFile, `dataDir: ${dataDir}\nserver:\n  host: 127.0.0.1\n  port: ${port}\n${opts.serverYaml ?? ''}log:\n  level: warn\n${opts.configYaml ?? ''}`);
  const child = spawn(process.execPath, [join(ROOT, 'bin/bastion.mjs'), 'start', '--config', configFile], { cwd: dataDir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const deadline = Date.now() + 30_000;
  while (!/Press Ctrl-C to stop/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`bastion did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const user = /username: (\S+)/.exec(out)?.[1];
  const password = /password: (\S+)/.exec(out)?.[1];
  return {
    url: /running at (\S+?)\/?$/m.exec(out)![1]!,
    port,
    dataDir,
    output: () => out,
    firstAdmin: user && password ? { username: user, password } : undefined,
    process: child,
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
