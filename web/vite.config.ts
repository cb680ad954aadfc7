// Vite builds the dashboard into web/dist (`vite build web`, served by `writ serve` at /); Vitest runs its component tests in jsdom.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // dist/.vite/manifest.json tells scripts/first-load-size.ts which chunks the first page load fetches.
    manifest: true,
    // The first-load budget is checked by scripts/first-load-size.ts; Vite's own warning is for much larger chunks.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite web` during development: the API and the log come from a running `writ serve`.
    proxy: { '/api': 'http://127.0.0.1:7070', '/log': 'http://127.0.0.1:7070', '/healthz': 'http://127.0.0.1:7070' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
