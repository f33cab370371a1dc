// Who is signed in: the console service's /v1/me, set by sign-in and cleared by sign-out. The session
// itself lives in HttpOnly cookies the page never reads.
import { reactive } from 'vue'
import { ApiError, request } from '../api/client'
import type { Me } from '../api/types'

export const session = reactive<{ me: Me | null; checked: boolean }>({ me: null, checked: false })

export async function loadMe(): Promise<Me | null> {
  try {
    session.me = await request<Me>('console', '/v1/me')
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error
    session.me = null
  } finally {
    session.checked = true
  }
  return session.me
}

export async function signIn(personId: string, password: string): Promise<Me> {
  const me = await request<Me>('console', '/v1/session', {
    method: 'POST',
    body: { person_id: personId, password },
    noRefresh: true,
  })
  session.me = me
  session.checked = true
  return me
}

export async function signOut(): Promise<void> {
  try {
    await request<void>('console', '/v1/session', { method: 'DELETE', noRefresh: true })
  } finally {
    session.me = null
  }
}

/** A supervisor, operator or anyone city-wide works the boards of their whole unit. */
export function isCommandStaff(me: Me | null): boolean {
  return !!me && (me.city_wide || me.role === 'operator' || me.role === 'supervisor')
}
