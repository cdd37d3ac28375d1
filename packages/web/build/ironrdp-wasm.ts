import type { Plugin } from 'vite';

/** What holds the WASM in @devolutions/iron-remote-desktop-rdp's bundle: one base64 data: URL string. */
const INLINE_WASM = /(["'])data:application\/wasm;base64,([A-Za-z0-9+/=]+)\1/;
const RDP_BACKEND = /[\\/]node_modules[\\/]@devolutions[\\/]iron-remote-desktop-rdp[\\/][^\\/]+\.js$/;

/**
 * IronRDP's RDP backend ships its 4.5 MB WebAssembly inlined as a base64 data: URL and fetch()es it.
 * Left as is, that is 6 MB of JavaScript to parse, a fetch of a data: URL (which a strict CSP's
 * connect-src refuses) and no streaming compilation. This moves it to a hashed `assets/*.wasm` file,
 * fetched from this origin as application/wasm; the glue's own loader is unchanged.
 *
 * `onWasm` receives the bytes (the notices step reads the Rust crate list from them).
 */
export function ironRdpWasmAsset(onWasm?: (wasm: Uint8Array) => void): Plugin {
  return {
    name: 'bastion:ironrdp-wasm-asset',
    apply: 'build',
    transform(code, id) {
      if (!RDP_BACKEND.test(id)) return null;
      const match = INLINE_WASM.exec(code);
      if (!match) return this.error('@devolutions/iron-remote-desktop-rdp: the inlined WASM was not found (did the package layout change?)');
      const wasm = Buffer.from(match[2]!, 'base64');
      onWasm?.(wasm);
      const ref = this.emitFile({ type: 'asset', name: 'ironrdp.wasm', source: wasm });
      const url = `import.meta.ROLLUP_FILE_URL_${ref}`;
      return { code: code.slice(0, match.index) + url + code.slice(match.index + match[0].length), map: null };
    },
  };
}
