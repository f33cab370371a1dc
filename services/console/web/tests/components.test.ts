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
