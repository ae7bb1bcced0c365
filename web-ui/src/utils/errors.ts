// The text to show for a failed call: the API's own `message` (it says what to do), or a hint for
// network errors. Apart from notify.ts so that the login page, which shows errors inline, does not
// load ElMessage.
import { ApiError } from '@/api/http'
import { i18n } from '@/i18n'

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return i18n.global.t('common.networkError')
    return e.message
  }
  if (e instanceof Error) return e.message
  return String(e)
}
