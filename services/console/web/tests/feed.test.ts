import { describe, expect, it, vi } from 'vitest'
import { createFeed } from '../src/stores/feed'
import { FakeEventSource, streamEvent } from './fakes'

function feedWithFakes(refresh = vi.fn(async () => true)) {
  const sources: FakeEventSource[] = []
  const feed = createFeed({
    open: (url) => {
      const source = new FakeEventSource(url)
      sources.push(source)
      return source as unknown as EventSource
    },
    refresh,
    retryMs: 10,
  })
  return { feed, sources, refresh }
}

describe('the live feed', () => {
  it('opens handling stream through the gateway, live from now', () => {
    const { feed, sources } = feedWithFakes()
    feed.start()
    expect(sources).toHaveLength(1)
    expect(sources[0]!.url).toBe('/api/handling/v1/stream/cases')
    sources[0]!.open()
    expect(feed.state.status).toBe('live')
  })

  it('keeps one copy of an event delivered twice', () => {
    const { feed, sources } = feedWithFakes()
    const seen: number[] = []
    feed.subscribe((event) => seen.push(event.position))
    feed.start()
    const source = sources[0]!
    source.open()
    source.send(streamEvent(7))
    source.send(streamEvent(8))
    source.send(streamEvent(7))
    expect(seen).toEqual([7, 8])
    expect(feed.state.events.map((event) => event.position)).toEqual([8, 7])
    expect(feed.state.duplicates).toBe(1)
    expect(feed.state.lastId).toBe(8)
  })

  it('lets the browser resume a dropped connection by itself (Last-Event-ID), opening nothing new', () => {
    const { feed, sources } = feedWithFakes()
    feed.start()
    sources[0]!.open()
    sources[0]!.send(streamEvent(3))
    sources[0]!.drop()
    expect(feed.state.status).toBe('reconnecting')
    expect(sources).toHaveLength(1)
    sources[0]!.open()
    sources[0]!.send(streamEvent(3)) // a replay overlapping what was shown
    sources[0]!.send(streamEvent(4))
    expect(feed.state.events.map((event) => event.position)).toEqual([4, 3])
    expect(feed.state.status).toBe('live')
  })

  it('after a refused connection refreshes the session and resumes after the last id seen', async () => {
    const { feed, sources, refresh } = feedWithFakes()
    feed.start()
    sources[0]!.open()
    sources[0]!.send(streamEvent(41))
    sources[0]!.send(streamEvent(42))
    sources[0]!.refuse()
    expect(feed.state.status).toBe('reconnecting')
    await vi.waitFor(() => expect(sources).toHaveLength(2))
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(sources[0]!.closed).toBe(true)
    expect(sources[1]!.url).toBe('/api/handling/v1/stream/cases?after=42')
    sources[1]!.open()
    sources[1]!.send(streamEvent(43))
    expect(feed.state.events.map((event) => event.position)).toEqual([43, 42, 41])
  })

  it('keeps trying for as long as it is refused, and stops when told', async () => {
    const { feed, sources } = feedWithFakes(vi.fn(async () => false))
    feed.start()
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      sources[attempt - 1]!.refuse()
      await vi.waitFor(() => expect(sources).toHaveLength(attempt + 1), { timeout: 2000 })
    }
    feed.stop()
    sources[3]!.refuse()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(sources).toHaveLength(4)
    expect(feed.state.status).toBe('stopped')
  })

  it('passes its filters to the stream', () => {
    const urls: string[] = []
    const feed = createFeed({
      filters: { state: ['accepted', 'resolved'], grid_id: 'g-9' },
      open: (url) => {
        urls.push(url)
        return new FakeEventSource(url) as unknown as EventSource
      },
    })
    feed.start()
    expect(urls).toEqual(['/api/handling/v1/stream/cases?state=accepted&state=resolved&grid_id=g-9'])
  })
})
