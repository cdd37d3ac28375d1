import { createInterface } from 'node:readline';

/** What `startBastion` in packages/server/src/main.ts exposes (another module; loaded on demand). */
export interface ServerModule {
  startBastion(options: { configFile?: string | undefined }): Promise<unknown>;
}

/** The CLI's connection to the outside world; tests pass their own to capture output. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads a secret: hidden typing on a terminal, else the first line of stdin. */
  readSecret(prompt: string): Promise<string>;
  /** Reads all of standard input (e.g. a private key piped in). */
  readStdin(): Promise<string>;
  /** Environment used for BASTION_* configuration overrides. */
  env: NodeJS.ProcessEnv;
  /** Loads the server module for `bastion start` (overridable in tests). */
  importServer(): Promise<ServerModule>;
}

// A non-literal specifier: the server's main.ts is compiled in the same build but not type-checked from here.
const SERVER_MAIN = '../../server/src/main.js';

export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readSecret: (prompt) => (process.stdin.isTTY ? readHidden(prompt) : readFirstLine(process.stdin)),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    importServer: async () => (await import(new URL(SERVER_MAIN, import.meta.url).href)) as ServerModule,
  };
}

export function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let line: string | undefined;
    rl.once('line', (l) => {
      line = l;
      rl.close();
    });
    rl.once('close', () => resolve(line ?? ''));
  });
}

/** Reads a line from the terminal without echoing it (Ctrl-C cancels). */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new Error('cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}
