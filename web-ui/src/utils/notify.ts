// Error and success messages (ElMessage): the API's own `message` (it says what to do), or a hint
// for network errors.
import { ElMessage } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import { ApiError } from '@/api/http'
import { i18n } from '@/i18n'
import { errorText } from './errors'

export { errorText }

export function showError(e: unknown) {
  if (e instanceof ApiError && e.status === 401) return // the 401 handler goes to the login page
  if ((e as Error)?.name === 'AbortError') return
  ElMessage({ type: 'error', message: errorText(e), showClose: true, duration: 6000, grouping: true })
}

export function showOk(msg?: string) {
  ElMessage({ type: 'success', message: msg || i18n.global.t('common.success'), grouping: true })
}
