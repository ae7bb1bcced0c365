// useList: the state every paged list page shares (groups, users, agents, apps/jobs/timings,
// exceptions, operations, a task's run history): the rows and total of a `Page<T>` reply, page
// and page size, the filters, a loading flag for the table's mask, whether a first load has
// finished (so the "empty" text does not flash before it), and the last error.
//
//   const { rows, total, page, pageSize, loading, loadedOnce, filters, search, reload } = useList(
//     (paging, f, signal) => groupApi.list({ ...paging, name: f.name.trim() }, signal),
//     { filters: { name: '' } },
//   )
//
// It loads when the component mounts and again whenever page or page size change (the
// pagination's v-models). search() starts over from page 1 with the current filters. reload()
// loads the current page again; reload(true) is a quiet refresh (polling, after an action): no
// loading mask, and a failure leaves rows, total and error as they were. A failed load that is
// not quiet sets `error` and, unless `toast: false`, shows it as a message too.
//
// Only the newest load counts: starting one aborts the one in flight (its reply, should it still
// come, is ignored), and so does unmounting.
import { onBeforeUnmount, onMounted, reactive, ref, watch, type Ref } from 'vue'
import type { Page } from '@/api/types'
import { errorText, showError } from '@/utils/notify'

export interface Paging {
  page: number
  page_size: number
}

export interface UseListOptions<F extends object> {
  /** Initial filters; returned as a reactive object for the filter form's v-models. */
  filters?: F
  page?: number
  pageSize?: number
  /** Also show a failed load as a message (default true); false when the page shows `error`. */
  toast?: boolean
  /** Reload quietly every `ms` while the tab is visible, no load is running and `when()` holds. */
  poll?: { ms: number; when?: () => boolean }
}

export function useList<T, F extends object = Record<string, never>>(
  fetch: (paging: Paging, filters: F, signal: AbortSignal) => Promise<Page<T> | null>,
  options: UseListOptions<F> = {},
) {
  const filters = reactive(options.filters ?? {}) as F
  const rows = ref([]) as Ref<T[]>
  const total = ref(0)
  const page = ref(options.page ?? 1)
  const pageSize = ref(options.pageSize ?? 20)
  const loading = ref(false)
  const loadedOnce = ref(false)
  const error = ref('')

  let current: AbortController | undefined // the newest load's; undefined once unmounted

  async function reload(quiet = false) {
    current?.abort()
    const mine = (current = new AbortController())
    if (!quiet) loading.value = true
    try {
      const res = await fetch({ page: page.value, page_size: pageSize.value }, filters, mine.signal)
      if (mine !== current) return
      rows.value = res?.list || []
      total.value = res?.total || 0
      loadedOnce.value = true
      error.value = ''
    } catch (e) {
      if (mine !== current || quiet) return
      error.value = errorText(e)
      if (options.toast !== false) showError(e)
    } finally {
      if (mine === current) loading.value = false
    }
  }

  function search() {
    // Going back to page 1 reloads through the watcher below; on page 1 already, reload here.
    if (page.value !== 1) page.value = 1
    else reload()
  }

  watch([page, pageSize], () => reload())

  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    reload()
    const poll = options.poll
    if (poll) {
      timer = setInterval(() => {
        if (document.visibilityState === 'visible' && !loading.value && (poll.when?.() ?? true)) reload(true)
      }, poll.ms)
    }
  })
  onBeforeUnmount(() => {
    if (timer) clearInterval(timer)
    current?.abort()
    current = undefined
  })

  return { rows, total, page, pageSize, loading, loadedOnce, error, filters, search, reload }
}
