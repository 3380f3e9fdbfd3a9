import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into dashboard/dist/ and served by the gateway itself under /ui/ (src/http/dashboard-assets.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under assets/ may be cached for good; index.html never is.
    assetsDir: 'assets',
    chunkSizeWarningLimit: 400,
  },
});
