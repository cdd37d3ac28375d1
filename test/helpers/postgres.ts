import { execFile, execFileSync } from 'node:child_process';
import { chown, mkdtemp, readFile, rm, appendFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A real, throw-away PostgreSQL server for the storage test suite: Debian's server binaries, a fresh
 * cluster in a temp dir, trust auth, listening on 127.0.0.1 only (and a unix socket inside the temp dir).
 * When the process runs as root the server runs as the `postgres` OS user (initdb refuses root).
 *
 * @example
 * const db = await startPostgres();
 * try { await runSuite(db.url); } finally { await db.stop(); }
 */
export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  database: string;
  /** The temp dir holding the cluster (`data/`), the socket and `server.log`; removed by stop(). */
  dir: string;
  /** Stops the server (pg_ctl stop -m fast) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Database to create (default "bastion_test"). */
  database?: string;
}

const PG_ROOT = '/usr/lib/postgresql';
const SUPERUSER = 'postgres';
const COMMAND_TIMEOUT_MS = 60_000;

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb and pg_ctl; throws with a fix if none. */
export function findPostgresBinDir(root = PG_ROOT): string {
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
  const usable = versions
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'))
    .filter((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
  if (usable[0] === undefined)
    throw new Error(
      `PostgreSQL server binaries not found (looked for ${root}/<version>/bin/initdb and pg_ctl). ` +
        'Run `bash scripts/install-deps.sh --test` as root to install them (Debian package "postgresql").',
    );
  return usable[0];
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const database = options.database ?? 'bastion_test';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`startPostgres: database name "${database}" must match [a-z_][a-z0-9_]*.`);
  const bin = findPostgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? lookupUser(SUPERUSER) : undefined;

  const dir = await mkdtemp(join(tmpdir(), 'bastion-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (owner) await chown(dir, owner.uid, owner.gid);
  // Runs a server binary, as the postgres user when we are root.
  const run = (tool: string, args: string[]): Promise<string> =>
    asRoot ? exec('runuser', ['-u', SUPERUSER, '--', join(bin, tool), ...args], dir) : exec(join(bin, tool), args, dir);

  let port = 0;
  let started = false;
  const stopNow = (): void => {
    // Last resort if the test process exits without calling stop(): only synchronous work is possible here.
    try {
      if (started) execFileSync(asRoot ? 'runuser' : join(bin, 'pg_ctl'), pgCtlArgv(asRoot, bin, ['-D', dataDir, '-m', 'immediate', 'stop']), { stdio: 'ignore', cwd: dir });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // 1. a fresh cluster: trust auth (local socket and host), C locale, no fsync while creating it
    await run('initdb', ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# bastion test server',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );

    // 2. start on a free port; another process may grab the port between probe and bind, so retry
    for (let attempt = 1; !started; attempt++) {
      port = await freePort();
      try {
        await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', `-p ${port}`, 'start']);
        started = true;
      } catch (err) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        if (attempt < 5 && /could not bind|address already in use/i.test(log)) continue;
        throw new Error(`PostgreSQL did not start on port ${port}. Server log:\n${tail(log)}`, { cause: err });
      }
    }
    process.once('exit', stopNow);

    // 3. wait until it accepts TCP connections, then create the database
    await withClient(port, 'postgres', (c) => c.query(`CREATE DATABASE "${database}"`));
  } catch (err) {
    stopNow();
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`,
    port,
    database,
    dir,
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener('exit', stopNow);
        try {
          await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })()),
  };
}

/** Connects (retrying for up to 10 s while the server warms up), runs `fn`, disconnects. */
async function withClient<T>(port: number, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, database });
    try {
      await client.connect();
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL on 127.0.0.1:${port} did not accept connections within 10 s.`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }
}

function pgCtlArgv(asRoot: boolean, bin: string, args: string[]): string[] {
  return asRoot ? ['-u', SUPERUSER, '--', join(bin, 'pg_ctl'), ...args] : args;
}

/** A port that was free a moment ago: bind port 0 on 127.0.0.1 and read what the kernel chose. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

function lookupUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error(`There is no "${name}" OS user to run PostgreSQL as. Run \`bash scripts/install-deps.sh --test\` as root (it installs the "postgresql" package, which creates it).`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** execFile with a clean PG* environment; the error message carries the command's output. */
function exec(file: string, args: string[], cwd: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${[file, ...args].join(' ')} failed: ${err.message}\n${tail(`${stdout}${stderr}`)}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

const tail = (text: string, lines = 20): string => text.trimEnd().split('\n').slice(-lines).join('\n');
