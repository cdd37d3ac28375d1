import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');

/**
 * `bastion --help | head -1`: the reader goes away before the CLI has written everything. The CLI must
 * leave quietly, like any Unix tool, not with Node's "Unhandled 'error' event … write EPIPE" stack trace.
 * The pipe's read end is closed before the CLI writes a byte, so every write meets EPIPE, deterministically.
 */
describe('bin/bastion.mjs with its output piped into a reader that stops early', () => {
  it('exits quietly, without a stack trace', async () => {
    expect(existsSync(join(ROOT, 'dist/cli/src/main.js')), 'dist/cli/src/main.js is missing: run `npm run build` first').toBe(true);
    const child = spawn(process.execPath, [join(ROOT, 'bin/bastion.mjs'), '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone, as when `head -1` has its line
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error' event|\n\s+at /);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('`bastion --help | head -1` through sh prints the first line and no stack trace', async () => {
    const child = spawn('sh', ['-c', `"${process.execPath}" "${join(ROOT, 'bin/bastion.mjs')}" --help | head -1`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    expect(stdout).toBe('Usage: bastion [options] [command]\n');
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});
