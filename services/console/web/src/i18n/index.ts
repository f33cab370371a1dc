// zh-CN by default; the choice of English is remembered in this browser.
import { createI18n } from 'vue-i18n'
import zh from './zh-CN'
import en from './en'

export type Locale = 'zh-CN' | 'en'
const STORAGE_KEY = 'gridloop.locale'

function storedLocale(): Locale {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export function makeI18n(locale: Locale = storedLocale()) {
  return createI18n({
    legacy: false,
    locale,
    fallbackLocale: 'zh-CN',
    messages: { 'zh-CN': zh, en },
  })
}

export const i18n = makeI18n()

/** Switch between Chinese and English; returns the new locale. */
export function toggleLocale(target = i18n): Locale {
  const next: Locale = target.global.locale.value === 'en' ? 'zh-CN' : 'en'
  target.global.locale.value = next
  document.documentElement.lang = next
  try {
    window.localStorage.setItem(STORAGE_KEY, next)
  } catch {
    // private mode: the choice lasts this page only
  }
  return next
}

/** A registry name in the current language (records carry `name` and `name_zh`). */
export function localName(
  record: { name?: string | null; name_zh?: string | null } | undefined,
  fallback: string,
  locale: string,
): string {
  if (!record) return fallback
  return (locale === 'en' ? record.name || record.name_zh : record.name_zh || record.name) || fallback
}
