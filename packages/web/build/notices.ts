import type { Plugin } from 'vite';
// Plain ESM shared with the command line (node scripts/notices.mjs); Vite bundles the config, so no types needed.
// @ts-expect-error -- no declaration file for the .mjs script
import { packageDirOf, renderNotices } from '../../../scripts/notices.mjs';

/**
 * Writes `third-party-notices.txt` next to index.html (served at /third-party-notices.txt): the npm
 * packages whose code is in this bundle (read from the chunks, so tree-shaken-away packages are not
 * listed), and the Rust crates in IronRDP's WASM (`wasm()` returns the bytes the WASM plugin saw).
 */
export function thirdPartyNotices(wasm: () => Uint8Array | undefined): Plugin {
  return {
    name: 'bastion:third-party-notices',
    apply: 'build',
    generateBundle(_options, bundle) {
      const dirs = new Set<string>();
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        for (const id of output.moduleIds) {
          const dir = packageDirOf(id) as string | undefined;
          if (dir) dirs.add(dir);
        }
      }
      const { text, unknownCrates } = renderNotices({ packageDirs: [...dirs], wasm: wasm(), source: 'the modules in this build of the web client' }) as { text: string; unknownCrates: string[] };
      if (unknownCrates.length) this.warn(`No licence recorded for Rust crate(s) ${unknownCrates.join(', ')}: add them to scripts/notices/rust-crates.json.`);
      this.emitFile({ type: 'asset', fileName: 'third-party-notices.txt', source: text });
    },
  };
}
