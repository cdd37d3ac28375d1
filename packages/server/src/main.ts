import { pino } from 'pino';
import { createBastion } from './bastion.js';
import { ConfigError, loadConfig } from './config/index.js';
import { NotWritableError } from './storage/writable-folder.js';

const say = (line = ''): boolean => process.stdout.write(`${line}\n`);

/**
 * `bastion start`: load and validate the configuration, build everything, listen, print how to sign in.
 * Ctrl-C / SIGTERM close the server and the database cleanly; SIGHUP reloads the user's certificate.
 */
export async function startBastion(opts: { configFile?: string | undefined } = {}): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig({ file: opts.configFile });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`bastion: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const { config } = loaded;
  const logger = pino({ level: config.log.level, base: { service: 'bastion' } });
  // Second line of defence behind the explicit modes: whatever this process (or a library) creates
  // later is owner-only too, whatever umask the shell or the service manager handed down.
  process.umask(0o077);
  let bastion;
  try {
    bastion = await createBastion(config, { logger });
  } catch (err) {
    // A folder that cannot be written is named as such ("bastion: cannot write the data folder …").
    process.stderr.write(`bastion: ${err instanceof NotWritableError ? '' : 'cannot start: '}${(err as Error).message}\n`);
    process.exit(1);
  }
  try {
    await bastion.app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? 'the port is in use (set server.port or BASTION_SERVER__PORT)' : e.code === 'EACCES' ? 'no permission to bind it (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : e.message;
    process.stderr.write(`bastion: cannot listen on ${config.server.host}:${config.server.port}: ${hint}\n`);
    await bastion.close();
    process.exit(1);
  }

  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? 'localhost' : config.server.host;
  const url = config.server.publicUrl ?? `https://${host}:${config.server.port}`;
  say();
  say(`Bastion is running at ${url}/`);
  say(`  database: ${bastion.store.dialect} (${bastion.store.where})   recordings: ${bastion.recordingsDir}`);
  say(`  TLS certificate: ${bastion.tls.source}, SHA-256 fingerprint ${bastion.tls.fingerprint}`);
  if (bastion.firstAdmin) {
    say();
    say('First start: an administrator was created. Sign in once with this one-time password,');
    say('then choose your own (it is not shown again):');
    say(`  username: ${bastion.firstAdmin.username}`);
    say(`  password: ${bastion.firstAdmin.password}`);
  }
  say();
  say('Press Ctrl-C to stop.');

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await bastion.close();
    say('Bastion stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => {
    try {
      const next = bastion.reloadTls();
      logger.info({ fingerprint: next?.fingerprint }, next ? 'TLS certificate reloaded' : 'SIGHUP ignored: self-signed certificate');
    } catch (err) {
      logger.error({ err }, 'TLS reload failed; keeping the previous certificate');
    }
  });
}
