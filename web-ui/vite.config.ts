import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'

// `npm run dev` proxies /api to a running `asgard all` (or `asgard web`);
// ASGARD_API overrides the default address.
const api = process.env.ASGARD_API || 'http://127.0.0.1:12345'

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    target: 'es2019',
    chunkSizeWarningLimit: 1200,
    // No manualChunks: assigning node_modules to chunks by hand defeats Element Plus's
    // tree-shaking (+400 kB). Pages and ECharts are split by their dynamic imports.
  },
})
