// The logged-in user, shared by the layout, the router guard and the pages.
import { reactive } from 'vue'
import { authApi } from '@/api'
import { ApiError, setToken } from '@/api/http'
import type { User } from '@/api/types'

export const auth = reactive({
  user: null as User | null,
  checked: false,
  /** Set when the server insists on a password change before anything else. */
  mustChange: false,
})

export function isAdmin(): boolean {
  return auth.user?.role === 'Administrator'
}

export async function loadUser(): Promise<User | null> {
  try {
    const u = await authApi.info()
    auth.user = u
    auth.mustChange = !!u?.must_change_password
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) {
      auth.checked = true
      throw e
    }
    auth.user = null
  }
  auth.checked = true
  return auth.user
}

export function clearSession() {
  setToken('')
  auth.user = null
  auth.mustChange = false
}
