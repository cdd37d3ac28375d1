import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';

/** Worth compressing: text and WASM. Images such as PNG are compressed already. */
const COMPRESSIBLE = /\.(js|mjs|css|wasm|html|svg|json|txt)$/;
/** Below this the saving is smaller than the header and round-trip overhead it is meant to save. */
const MIN_BYTES = 1024;

const br = promisify(brotliCompress);
const gz = promisify(gzip);

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** Writes `<file>.br` and `<file>.gz` beside each compressible file of `dir`; answers the files done. */
export async function precompressDir(dir: string): Promise<string[]> {
  const done: string[] = [];
  const jobs: Promise<void>[] = [];
  for await (const path of files(dir)) {
    if (!COMPRESSIBLE.test(path) || (await stat(path)).size < MIN_BYTES) continue;
    jobs.push(
      (async () => {
        const data = await readFile(path);
        // Once at build time, so the slowest, smallest settings: brotli 11 takes the 4.5 MB IronRDP WASM
        // to ~1.1 MB (gzip 9: ~1.6 MB); the server only picks the file (@fastify/static preCompressed).
        const [b, g] = await Promise.all([
          br(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
          gz(data, { level: 9 }),
        ]);
        // A variant that is not smaller would only cost CPU and bytes: the server then sends the original.
        if (b.length < data.length) await writeFile(`${path}.br`, b);
        if (g.length < data.length) await writeFile(`${path}.gz`, g);
        done.push(path);
      })(),
    );
  }
  await Promise.all(jobs);
  return done;
}

/**
 * Precompresses the build output (issue #14: the portal over a real network). Runs after every file,
 * the copied public/ ones and the generated notices included, is on disk.
 */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'bastion-precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        await precompressDir(outDir);
      },
    },
  };
}
