import { describe, expect, it } from 'vitest'
import { pointIn } from '../../helpers/build-app'
import { STREET_A, useTestApp } from '../../helpers/route-app'

const app = useTestApp()
const { post, seq } = app

describe('camera alerts', () => {
  function validAlert(overrides: Record<string, unknown> = {}) {
    return { cameraId: 'cam-1', kind: 'flying_wire_charging', confidence: 0.91, location: pointIn(app.t.geography, STREET_A), ...overrides }
  }

  it('an alert id the server made, named by a later body, is a conflict', async () => {
    const made = (await post('/api/v1/alerts', validAlert())).json()
    expect((await post('/api/v1/alerts', validAlert({ id: made.id }))).statusCode).toBe(409)
    // A named id is retried: the same body again is the first answer.
    const first = await post('/api/v1/alerts', validAlert({ id: 'a-named' }))
    const again = await post('/api/v1/alerts', validAlert({ id: 'a-named' }))
    expect(again.json()).toEqual(first.json())
    // Each alert and its alarm (alarm.raised, in the same transaction): two alerts, four events.
    expect(await seq()).toBe(4)
  })

  it('stores an alert and reviews it; a confirmed alert raises a camera request', async () => {
    const res = await post('/api/v1/alerts', validAlert({ id: 'a-1', snapshotUrl: '/snapshots/a-1.jpg' }))
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ id: 'a-1', seq: 1 })
    const review = await post('/api/v1/alerts/a-1/review', { verdict: 'confirmed', raiseRequest: true })
    expect(review.statusCode).toBe(201)
    const { requestId } = review.json()
    expect(requestId).toBeTruthy()
    const request = (await app.t.inject({ method: 'GET', url: `/api/v1/requests/${requestId}` })).json()
    expect(request).toMatchObject({ source: 'camera', category: 'safety_hazard', gridId: res.json().gridId, stage: 'received' })
    // Reviewing again the same way is a retry; the other way is a conflict.
    expect((await post('/api/v1/alerts/a-1/review', { verdict: 'confirmed', raiseRequest: true })).json()).toEqual(review.json())
    expect((await post('/api/v1/alerts/a-1/review', { verdict: 'false_positive' })).statusCode).toBe(409)
  })

  it('validates alerts', async () => {
    const high = await post('/api/v1/alerts', validAlert({ confidence: 1.2 }))
    expect(high.json()).toMatchObject({ field: 'body/confidence', rule: 'maximum' })
    const kind = await post('/api/v1/alerts', validAlert({ kind: 'ufo' }))
    expect(kind.json()).toMatchObject({ field: 'body/kind', rule: 'enum' })
    const raiseFalse = await post('/api/v1/alerts/x/review', { verdict: 'false_positive', raiseRequest: true })
    expect(raiseFalse.json()).toMatchObject({ field: 'body/raiseRequest' })
    expect((await post('/api/v1/alerts/unknown/review', { verdict: 'confirmed' })).statusCode).toBe(404)
    expect(await seq()).toBe(0)
  })

  it('is idempotent by id', async () => {
    const a = await post('/api/v1/alerts', validAlert({ id: 'a-2', at: '2026-11-28T09:00:00Z' }))
    const b = await post('/api/v1/alerts', validAlert({ id: 'a-2', at: '2026-11-28T09:00:00Z' }))
    expect(b.json()).toEqual(a.json())
    expect((await post('/api/v1/alerts', validAlert({ id: 'a-2', confidence: 0.5 }))).statusCode).toBe(409)
    // The alert and its alarm.
    expect(await seq()).toBe(2)
  })
})
