import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileDurably } from './durable-file.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-durable-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Stands for the process dying right after the temporary file was written (before it takes the name). */
class Crash extends Error {}

describe('writeFileDurably', () => {
  it('writes the whole content with the given mode and leaves no temporary file', () => {
    const dir = tempDir();
    const file = join(dir, 'vault.key');
    writeFileDurably(file, 'secret\n', { mode: 0o600 });
    expect(readFileSync(file, 'utf8')).toBe('secret\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['vault.key']);
  });

  it('a crash between the write and the rename leaves the old file as it was; the final name never holds a partial file', () => {
    const dir = tempDir();
    const file = join(dir, 'bastion-key.pem');
    writeFileSync(file, 'old content');
    const big = 'x'.repeat(1 << 20);
    let seenInHook: { final: string; temp: string } | undefined;
    expect(() =>
      writeFileDurably(file, big, {
        afterTempWrite: (temp) => {
          // At the last moment before the rename: the new bytes are complete in the temp file only.
          seenInHook = { final: readFileSync(file, 'utf8'), temp: readFileSync(temp, 'utf8') };
          throw new Crash('killed');
        },
      }),
    ).toThrow(Crash);
    expect(seenInHook?.final).toBe('old content');
    expect(seenInHook?.temp.length).toBe(big.length);
    expect(readFileSync(file, 'utf8')).toBe('old content');
    // After the "restart", the next write completes.
    writeFileDurably(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
  });

  it('a crash before a first file is placed leaves no file at that name (not an empty one)', () => {
    const dir = tempDir();
    const file = join(dir, 'vault.key');
    expect(() => writeFileDurably(file, 'key', { exclusive: true, afterTempWrite: () => { throw new Crash('killed'); } })).toThrow(Crash);
    expect(() => statSync(file)).toThrow(/ENOENT/);
  });

  it('exclusive: refuses an existing file and keeps it (two processes creating the same key)', () => {
    const dir = tempDir();
    const file = join(dir, 'vault.key');
    writeFileDurably(file, 'first', { exclusive: true });
    expect(() => writeFileDurably(file, 'second', { exclusive: true })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(file, 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['vault.key']);
  });
});
