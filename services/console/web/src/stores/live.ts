// The live state every view shares once someone is signed in: the feed, the cases it keeps current,
// and a clock for countdowns and lights.
import { ref } from 'vue'
import { createFeed } from './feed'
import { createCaseStore } from './cases'
import { alertsMayHaveChanged, loadAlerts } from './alerts'

export const feed = createFeed()
export const cases = createCaseStore()
export const now = ref(Date.now())

feed.subscribe((event) => {
  cases.apply(event)
  if (event.action === 'open') alertsMayHaveChanged()
})

let ticking: ReturnType<typeof setInterval> | null = null
let started = false

export async function startLive(): Promise<void> {
  if (started) return
  started = true
  ticking ??= setInterval(() => {
    now.value = Date.now()
  }, 1000)
  // The stream first, then the list: whatever commits meanwhile arrives on the stream, and the
  // store keeps the newer of the two versions of a case.
  feed.start()
  await Promise.all([cases.load(), loadAlerts()])
}

export function stopLive(): void {
  feed.stop()
  started = false
  if (ticking) clearInterval(ticking)
  ticking = null
}
