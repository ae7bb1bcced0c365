// useAction: what a page's action buttons share (start, pause, copy, delete, forbid, a dialog's
// save): a confirmation first if asked, a busy flag per button for its spinner, the call, then on
// success the message, the page's own follow-up and a refresh of the list; on failure the
// server's message, as a message or in the dialog's alert.
//
//   const { busy, run } = useAction({ refresh: () => load() })
//   run(`${g.id}:delete`, () => groupApi.remove(g.id), { confirm: t('groups.deleteConfirm', { name: g.name }) })
//   run('save', () => groupApi.update(id, body), { error, done: () => (open.value = false) })
//   <el-button :loading="busy[`${row.id}:delete`]" ...>
//
// In order: a `confirm` box (titled common.confirmTitle; cancelling it ends the action quietly);
// busy[key] set (a second run of the same key while it is set does nothing); the call; on success
// the `ok` message (default common.success; a function of the result; false for none), `done`,
// then `refresh` (the one given to useAction unless the run gives another, or false); on failure
// showError, or the text into `error` when the page shows it inline; busy[key] cleared whatever
// happened. run() resolves to true when the call succeeded.
import { reactive, type Ref } from 'vue'
import { ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message-box/style/css'
import { i18n } from '@/i18n'
import { errorText, showError, showOk } from '@/utils/notify'

export interface ActionOptions<R> {
  /** Ask first: the question (type 'warning'), or the question and the box's type. */
  confirm?: string | { message: string; type: 'warning' | 'info' }
  /** The success message: a text, one made from the call's result, or false for none. */
  ok?: string | false | ((result: R) => string)
  /** Put a failure's text here (a dialog's el-alert) instead of showing it as a message. */
  error?: Ref<string>
  /** After the success message and before the refresh: close a dialog, show results, go elsewhere. */
  done?: (result: R) => void
  /** Instead of useAction's refresh: another one, or false for none. */
  refresh?: false | (() => void)
}

export interface UseActionOptions {
  /** Run after every successful action unless it says otherwise; usually useList's reload. */
  refresh?: () => void
}

export function useAction(options: UseActionOptions = {}) {
  const busy = reactive<Record<string, boolean>>({})

  async function run<R>(key: string, call: () => Promise<R>, opts: ActionOptions<R> = {}): Promise<boolean> {
    if (busy[key]) return false
    if (opts.confirm !== undefined) {
      const { message, type } = typeof opts.confirm === 'string' ? { message: opts.confirm, type: 'warning' as const } : opts.confirm
      try {
        await ElMessageBox.confirm(message, i18n.global.t('common.confirmTitle'), { type })
      } catch {
        return false // cancelled or closed
      }
    }
    busy[key] = true
    try {
      const result = await call()
      if (opts.ok !== false) showOk(typeof opts.ok === 'function' ? opts.ok(result) : opts.ok)
      opts.done?.(result)
      const refresh = opts.refresh === undefined ? options.refresh : opts.refresh
      if (refresh) refresh()
      return true
    } catch (e) {
      if (opts.error) opts.error.value = errorText(e)
      else showError(e)
      return false
    } finally {
      busy[key] = false
    }
  }

  return { busy, run }
}
