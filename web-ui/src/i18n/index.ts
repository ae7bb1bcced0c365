// Chinese (default) and English; the choice is kept in localStorage.
import { createI18n } from 'vue-i18n'
import zh from './zh'
import en from './en'

export type Lang = 'zh' | 'en'
const KEY = 'asgard_lang'

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(KEY)
    if (v === 'zh' || v === 'en') return v
  } catch {
    /* storage disabled */
  }
  return 'zh'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLang(),
  fallbackLocale: 'zh',
  messages: { zh, en },
})

export function setLang(lang: Lang) {
  i18n.global.locale.value = lang
  try {
    localStorage.setItem(KEY, lang)
  } catch {
    /* storage disabled */
  }
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
}

export function currentLang(): Lang {
  return i18n.global.locale.value as Lang
}
