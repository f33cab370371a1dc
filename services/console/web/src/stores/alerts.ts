// Scoring's analysis alerts (hotspots, recurrences) for the map layer. Read when the map opens and again
// when the feed brings a newly opened case (the only thing that raises an alert), never on a timer.
import { reactive } from 'vue'
import { ApiError, api } from '../api/client'
import type { Alert } from '../lib/mapOption'

export const alerts = reactive<{ items: Alert[]; available: boolean }>({ items: [], available: true })

// The map shows what was raised in the last month (city/analysis.yaml looks back 30 days for recurrences).
const ALERT_DAYS = 30
let timer: ReturnType<typeof setTimeout> | null = null

export async function loadAlerts(): Promise<void> {
  if (!alerts.available) return
  try {
    const since = new Date(Date.now() - ALERT_DAYS * 86400_000).toISOString()
    const document = await api.get<{ items?: Alert[] } | Alert[]>('scoring', '/v1/alerts', { since, limit: 500 })
    alerts.items = Array.isArray(document) ? document : (document.items ?? [])
  } catch (error) {
    // A scoring without the alerts route: the layer stays empty rather than failing the map.
    if (error instanceof ApiError && error.status === 404) alerts.available = false
  }
}

/** Read the alerts again shortly after a case opens (scoring raises them as it counts the opening). */
export function alertsMayHaveChanged(delayMs = 3000): void {
  if (!alerts.available || timer) return
  timer = setTimeout(() => {
    timer = null
    void loadAlerts()
  }, delayMs)
}
