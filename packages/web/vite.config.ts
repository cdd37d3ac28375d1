import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { ironRdpWasmAsset } from './build/ironrdp-wasm.js';
import { thirdPartyNotices } from './build/notices.js';
import { precompress } from './build/precompress.js';

/** The Bastion server in development (self-signed certificate, hence `secure: false`). */
const DEV_SERVER = 'https://localhost:8443';
const proxied = { target: DEV_SERVER, secure: false, changeOrigin: false } as const;

/** IronRDP's WASM as the build extracted it, for the Rust part of the third-party notices. */
let ironRdpWasm: Uint8Array | undefined;

// Production output is plain hashed files in dist/web: no inline scripts (the server's CSP has
// script-src 'self'), nothing fetched from the internet.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [
    react(),
    ironRdpWasmAsset((wasm) => (ironRdpWasm = wasm)),
    // dist/web/third-party-notices.txt, served at /third-party-notices.txt.
    thirdPartyNotices(() => ironRdpWasm),
    // <file>.br and <file>.gz beside each asset, served by Accept-Encoding (web-client.ts).
    precompress(),
  ],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: {
      output: {
        // Libraries change less often than the app: separate files keep browser caches warm across upgrades.
        codeSplitting: {
          groups: [
            // The terminal (xterm.js) loads only with the terminal page.
            { name: 'xterm', test: /[\\/]node_modules[\\/]@xterm[\\/]/ },
            // The RDP client (web component + WASM glue) loads only when a remote desktop opens.
            { name: 'ironrdp', test: /[\\/]node_modules[\\/]@devolutions[\\/]/ },
            // The recording player (asciinema-player and its WASM terminal) loads only when a recording is played.
            { name: 'asciinema', test: /[\\/]node_modules[\\/]asciinema-player[\\/]/ },
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'fluent-icons', test: /[\\/]node_modules[\\/]@fluentui[\\/]react-icons[\\/]/ },
            { name: 'fluent', test: /[\\/]node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': { ...proxied, ws: true },
      '/healthz': proxied,
      '/openapi.json': proxied,
    },
  },
});
