// EChart.vue, loaded on first use. ECharts is the console's largest chunk (~180 kB gzip); the
// pages that draw charts import this instead, so they render (the dashboard's cards, a task's
// details) without waiting for it, and a skeleton of the chart's height holds its place
// meanwhile. Same props as EChart.vue: `option` and `height`.
import { defineAsyncComponent } from 'vue'
import ChartSkeleton from './ChartSkeleton.vue'

export default defineAsyncComponent({
  loader: () => import('./EChart.vue'),
  loadingComponent: ChartSkeleton,
  delay: 0, // the skeleton at once: no blank gap, and no jump when the chart comes
})
