import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The Bastion server in development (self-signed certificate, hence `secure: false`). */
const DEV_SERVER = 'https://localhost:8443';
const proxied = { target: DEV_SERVER, secure: false, changeOrigin: false } as const;

// Production output is plain hashed files in dist/web: no inline scripts (the server's CSP has
// script-src 'self'), nothing fetched from the internet.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
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
