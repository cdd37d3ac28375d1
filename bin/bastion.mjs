#!/usr/bin/env node
// Launcher for the `bastion` CLI: runs the compiled entry point (npm run build makes it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/src/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('Run `npm run build` first (or `npm start`).');
  process.exit(1);
}
const { run } = await import(entry.href);
process.exitCode = await run(process.argv.slice(2));
