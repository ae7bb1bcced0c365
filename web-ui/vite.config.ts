import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import type { ComponentResolveResult, ComponentResolver } from 'unplugin-vue-components/types'
import { fileURLToPath, URL } from 'node:url'

// `npm run dev` proxies /api to a running `asgard all` (or `asgard web`);
// ASGARD_API overrides the default address.
const api = process.env.ASGARD_API || 'http://127.0.0.1:12345'

// Element Plus's resolver, with one change so that the console looks as it did with the whole
// style sheet (element-plus/dist/index.css): there, el-table-column's rules come before
// el-table's, so `.el-table .cell` (padding 0 12px) overrides `.el-table-column--selection .cell`
// (14px) at equal specificity. Imported per component, el-table's sheet would come first and the
// selection checkboxes move 2 px; so <el-table> imports el-table-column's sheet before its own.
function elementPlusResolver(): ComponentResolver[] {
  return ElementPlusResolver().map((r) =>
    typeof r === 'function' || r.type !== 'component'
      ? r
      : { ...r, resolve: async (name: string) => tableColumnStyleFirst(name, await r.resolve(name)) },
  )
}
function tableColumnStyleFirst(name: string, info: Awaited<ComponentResolveResult>) {
  if (name !== 'ElTable' || !info || typeof info !== 'object') return info
  const own = info.sideEffects === undefined ? [] : Array.isArray(info.sideEffects) ? info.sideEffects : [info.sideEffects]
  return { ...info, sideEffects: ['element-plus/es/components/table-column/style/css', ...own] }
}

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus on demand: each <el-*> tag and v-loading in a template becomes an import of
    // that component and of its style sheet (element-plus/es/components/*/style/css), so a page's
    // chunk carries only what it uses and the login page does not load the whole library and its
    // 360 kB style sheet. ElMessage and ElMessageBox, called from scripts, import their styles
    // where they are used. Our own components are imported explicitly (dirs: []), and there is no
    // generated components.d.ts: templates were not type-checked against Element Plus before either.
    Components({ resolvers: elementPlusResolver(), dirs: [], dts: false }),
  ],
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
    // tree-shaking (+400 kB). Pages and ECharts are split by their dynamic imports (router.ts,
    // components/AsyncEChart.ts).
  },
})
