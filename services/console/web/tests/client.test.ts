import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, request, setUnauthorisedHandler } from '../src/api/client'
import { jsonResponse } from './fakes'

afterEach(() => vi.unstubAllGlobals())

describe('the API client', () => {
  it('sends same-origin requests through the gateway prefix', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { items: [] }))
    vi.stubGlobal('fetch', fetch)
    await api.get('handling', '/v1/cases', { state: ['opened', 'returned'], limit: 5, cursor: undefined })
    expect(fetch).toHaveBeenCalledWith(
      '/api/handling/v1/cases?state=opened&state=returned&limit=5',
      expect.objectContaining({ credentials: 'same-origin', method: 'GET' }),
    )
  })

  it('on a 401 refreshes the session once and repeats the request', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(jsonResponse(401, { error: { code: 'unauthorized', message: 'expired' } }))
      .mockResolvedValueOnce(jsonResponse(200, { person_id: 'op' }))
      .mockResolvedValueOnce(jsonResponse(200, { ok: true }))
    vi.stubGlobal('fetch', fetch)
    await expect(api.post('handling', '/v1/cases/1/accept', {})).resolves.toEqual({ ok: true })
    expect(fetch.mock.calls.map((call) => [call[0], call[1].method])).toEqual([
      ['/api/handling/v1/cases/1/accept', 'POST'],
      ['/api/console/v1/session/refresh', 'POST'],
      ['/api/handling/v1/cases/1/accept', 'POST'],
    ])
  })

  it('goes to sign-in when the refresh is refused too', async () => {
    const unauthorised = vi.fn()
    setUnauthorisedHandler(unauthorised)
    const fetch = vi.fn(async () => jsonResponse(401, { error: { code: 'unauthorized', message: 'no' } }))
    vi.stubGlobal('fetch', fetch)
    await expect(request('scoring', '/v1/rankings')).rejects.toBeInstanceOf(ApiError)
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(unauthorised).toHaveBeenCalledTimes(1)
  })

  it('treats a 401 from sign-in as an answer, not an expired session', async () => {
    const fetch = vi.fn(async () => jsonResponse(401, { error: { code: 'bad_credentials', message: 'no' } }))
    vi.stubGlobal('fetch', fetch)
    const failure = await request('console', '/v1/session', { method: 'POST', body: {}, noRefresh: true }).catch((e) => e)
    expect(failure).toMatchObject({ status: 401, code: 'bad_credentials' })
    expect(fetch).toHaveBeenCalledTimes(1)
  })
})
