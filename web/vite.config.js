import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// `npm run dev` serves the pages with hot reload and sends the API to a running
// `ecohub serve` (ECOHUB=http://127.0.0.1:8080 by default). `npm run build` writes
// web/dist, which `ecohub serve --web-dir` serves on the HTTP port.
const target = process.env.ECOHUB || 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [vue()],
  server: { proxy: { '/api': target, '/healthz': target } },
  build: {
    target: 'es2022',
    // ECharts with the chart types in src/lib/echarts.js is one ~700 kB chunk (about
    // 240 kB gzipped), loaded with the first chart: expected, not a warning.
    chunkSizeWarningLimit: 800,
    // Hashed names let the server mark assets immutable.
    assetsDir: 'assets',
  },
});
