#!/usr/bin/env node
// Launcher for the `bastion` CLI: runs the compiled entry point (npm run build makes it).
import { existsSync } from 'node:fs';

// A reader that stops early (`bastion --help | head -1`) closes the pipe: not a failure of ours, so leave
// quietly, as Unix tools do on SIGPIPE, instead of Node's unhandled 'error' stack trace. Other errors stay loud.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

const entry = new URL('../dist/cli/src/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('Run `npm run build` first (or `npm start`).');
  process.exit(1);
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
