import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDir } from '../../../web/build/precompress.js';
import { createTestBastion, type TestBastion } from './test-app.js';

/**
 * Issue #14: the portal over a real network. The build precompresses the web client (brotli and gzip
 * beside each file) and the server sends the variant the browser accepts. A temp web root stands in for
 * dist/web, compressed by the build's own step; the e2e suite checks the real dist/web in Chromium.
 */
let b: TestBastion;
let webRoot: string;
// Something that compresses as a real bundle does: repetitive, far above the 1 KB threshold.
const wasm = Buffer.from(Array.from({ length: 4000 }, (_, i) => `\0asm${i % 97};`).join(''));
const appJs = `export const rows = [${Array.from({ length: 500 }, (_, i) => `{ id: ${i}, name: "vm-${i % 13}" }`).join(', ')}];`;
const tinyJs = 'console.log(1);';

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'bastion-web-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Bastion</title>');
  writeFileSync(join(webRoot, 'assets', 'ironrdp-abc.wasm'), wasm);
  writeFileSync(join(webRoot, 'assets', 'index-abc.js'), appJs);
  writeFileSync(join(webRoot, 'assets', 'tiny-abc.js'), tinyJs);
  await precompressDir(webRoot);
  b = await createTestBastion({}, { webRoot });
});
afterAll(async () => {
  await b?.dispose();
  rmSync(webRoot, { recursive: true, force: true });
});

const get = (url: string, acceptEncoding?: string) => b.app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });

describe('the web client over HTTP', () => {
  it('the build writes .br and .gz beside files above 1 KB only', () => {
    for (const f of ['ironrdp-abc.wasm', 'index-abc.js']) for (const ext of ['.br', '.gz']) expect(existsSync(join(webRoot, 'assets', f + ext)), f + ext).toBe(true);
    expect(existsSync(join(webRoot, 'assets', 'tiny-abc.js.br'))).toBe(false);
  });

  it('sends the WASM brotli-compressed to a browser that accepts br, with Vary and its own type', async () => {
    const res = await get('/assets/ironrdp-abc.wasm', 'gzip, deflate, br, zstd'); // what Chromium sends
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(res.headers['content-type']).toBe('application/wasm');
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.rawPayload.length).toBeLessThan(wasm.length / 3);
    expect(brotliDecompressSync(res.rawPayload).equals(wasm)).toBe(true);
  });

  it('sends gzip to a client that accepts only gzip', async () => {
    const res = await get('/assets/index-abc.js', 'gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(String(res.headers.vary)).toMatch(/accept-encoding/i);
    expect(res.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(gunzipSync(res.rawPayload).toString()).toBe(appJs);
  });

  it('sends the plain file to a client that accepts no encoding, and small files plain', async () => {
    const plain = await get('/assets/ironrdp-abc.wasm');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.rawPayload.equals(wasm)).toBe(true);
    const tiny = await get('/assets/tiny-abc.js', 'gzip, deflate, br');
    expect(tiny.statusCode).toBe(200);
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body).toBe(tinyJs);
  });

  it('still answers the portal at / and at deep links', async () => {
    for (const url of ['/', '/portal/vms']) {
      const res = await get(url, 'gzip, deflate, br');
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>Bastion</title>');
    }
  });
});
