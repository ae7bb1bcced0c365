import { createApp } from 'vue'
import {
  ElAlert, ElAside, ElButton, ElCard, ElCheckbox, ElCol, ElCollapse, ElCollapseItem, ElConfigProvider,
  ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem, ElDialog, ElDivider, ElDrawer, ElDropdown,
  ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber,
  ElLink, ElLoading, ElMain, ElMenu, ElMenuItem, ElOption, ElPagination, ElRadio, ElRadioButton, ElRadioGroup, ElResult,
  ElRow, ElSelect, ElSkeleton, ElSwitch, ElTabPane, ElTable, ElTableColumn, ElTabs, ElTag, ElTooltip,
} from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router'
import { i18n, currentLang } from './i18n'
import { setUnauthorizedHandler, setMustChangePasswordHandler } from './api/http'
import { auth, clearSession } from './utils/auth'
import './style.css'

const app = createApp(App)
for (const c of [
  ElAlert, ElAside, ElButton, ElCard, ElCheckbox, ElCol, ElCollapse, ElCollapseItem, ElConfigProvider,
  ElContainer, ElDatePicker, ElDescriptions, ElDescriptionsItem, ElDialog, ElDivider, ElDrawer, ElDropdown,
  ElDropdownItem, ElDropdownMenu, ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber,
  ElLink, ElMain, ElMenu, ElMenuItem, ElOption, ElPagination, ElRadio, ElRadioButton, ElRadioGroup, ElResult,
  ElRow, ElSelect, ElSkeleton, ElSwitch, ElTabPane, ElTable, ElTableColumn, ElTabs, ElTag, ElTooltip,
]) {
  app.use(c)
}
app.use(ElLoading)
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
