// Element Plus is not registered here: vite.config.ts imports each component, and its style
// sheet, in the chunk of the page whose template uses it.
import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n, currentLang } from './i18n'
import { setUnauthorizedHandler, setMustChangePasswordHandler } from './api/http'
import { auth, clearSession } from './utils/auth'
import './style.css'

const app = createApp(App)
app.use(i18n)
app.use(router)

// 401 anywhere: the session is gone (expired, revoked, logged out elsewhere): back to login.
setUnauthorizedHandler(() => {
  const wasIn = !!auth.user
  clearSession()
  auth.checked = true
  const cur = router.currentRoute.value
  if (cur.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: cur.fullPath, expired: wasIn ? '1' : undefined } })
  }
})
// 403 "change the initial password first": show the forced dialog.
setMustChangePasswordHandler(() => {
  if (auth.user) auth.mustChange = true
})

document.documentElement.lang = currentLang() === 'zh' ? 'zh-CN' : 'en'
app.mount('#app')
