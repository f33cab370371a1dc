import { describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import FeedList from '../src/components/FeedList.vue'
import { makeI18n } from '../src/i18n'
import { feed } from '../src/stores/live'
import { FakeEventSource, streamEvent } from './fakes'

describe('the feed list', () => {
  it('shows each event once, newest first, with its action in the current language', async () => {
    // the case store reads a case it first sees on the stream
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}', { status: 404 })))
    const sources: FakeEventSource[] = []
    // the shared feed, opened on a fake EventSource
    ;(globalThis as { EventSource?: unknown }).EventSource = class extends FakeEventSource {
      constructor(url: string) {
        super(url)
        sources.push(this)
      }
    }
    const wrapper = mount(FeedList, { global: { plugins: [makeI18n('zh-CN')] } })
    feed.start()
    sources[0]!.open()
    sources[0]!.send(streamEvent(1, { action: 'open', case_id: 'a' }))
    sources[0]!.send(streamEvent(2, { action: 'accept', case_id: 'a' }))
    sources[0]!.send(streamEvent(2, { action: 'accept', case_id: 'a' }))
    await nextTick()
    const items = wrapper.findAll('li')
    expect(items.map((item) => item.attributes('data-position'))).toEqual(['2', '1'])
    expect(items[0]!.text()).toContain('签收')
    expect(wrapper.find('[data-feed-status]').attributes('data-feed-status')).toBe('live')
    feed.stop()
  })
})

describe('the password reset form', () => {
  it('sends a supervisor\'s new password for a person and says so; refuses two different entries', async () => {
    const { default: PeopleView } = await import('../src/views/PeopleView.vue')
    const fetch = vi.fn(async () => new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', fetch)
    const wrapper = mount(PeopleView, { global: { plugins: [makeI18n('en')] } })
    await wrapper.find('input[name="person_id"]').setValue('w-tinghu-wenfeng-01')
    await wrapper.find('input[name="password"]').setValue('a-new-passw0rd')
    await wrapper.find('input[name="again"]').setValue('another-passw0rd')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.find('[data-test="password-result"]').text()).toBe('The two passwords differ'))
    expect(fetch).not.toHaveBeenCalled()
    await wrapper.find('input[name="again"]').setValue('a-new-passw0rd')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.find('[data-test="password-result"]').text()).toBe('New password set for w-tinghu-wenfeng-01'))
    expect(fetch).toHaveBeenCalledWith(
      '/api/console/v1/people/w-tinghu-wenfeng-01/password',
      expect.objectContaining({ method: 'PUT', body: JSON.stringify({ password: 'a-new-passw0rd' }), credentials: 'same-origin' }),
    )
    vi.unstubAllGlobals()
  })
})
