// `npm run dev -w client` serves the editor with hot reload and forwards the API (WebSocket included) to a
// server started with `npm run dev` on port 8080; `npm run build -w client` writes client/dist for the server.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: api, ws: true },
      '/healthz': { target: api },
    },
  },
  // React + CodeMirror's core make one ~700 kB chunk; every language's highlighting is split off and loaded on demand.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
});
