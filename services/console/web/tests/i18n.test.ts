import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { useI18n } from 'vue-i18n'
import { makeI18n, toggleLocale } from '../src/i18n'
import zh from '../src/i18n/zh-CN'
import en from '../src/i18n/en'

const Title = defineComponent({
  setup() {
    const { t } = useI18n()
    return { t }
  },
  template: '<h1>{{ t("app.title") }}</h1><span>{{ t("state.opened") }}</span>',
})

function keys(messages: object, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

describe('languages', () => {
  beforeEach(() => window.localStorage.clear())

  it('is Chinese by default and English after the toggle, remembered for the next visit', async () => {
    const i18n = makeI18n()
    const wrapper = mount(Title, { global: { plugins: [i18n] } })
    expect(wrapper.text()).toContain('网格治理联动指挥平台')
    expect(wrapper.text()).toContain('待分拨')
    expect(toggleLocale(i18n)).toBe('en')
    await nextTick()
    expect(wrapper.text()).toContain('Grid governance command centre')
    expect(document.documentElement.lang).toBe('en')
    expect(makeI18n().global.locale.value).toBe('en')
    expect(toggleLocale(i18n)).toBe('zh-CN')
    await nextTick()
    expect(wrapper.text()).toContain('网格治理联动指挥平台')
  })

  it('has every message in both languages', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
})
