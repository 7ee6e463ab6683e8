// One source for every reply type: what the server's store and handlers produce is the Static type
// of the shared schema its route declares (checked by the type check, which runs over tests), and
// the events playback sends are exactly the live-event schemas (checked here at run time).
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest'
import { Value } from 'typebox/value'
import type { Static } from 'typebox'
import { EVENT_TYPES, type LiveEvent, type SocketUser, type WorkerPosition } from '../../shared/events'
import type { Policy } from '../../shared/metrics'
import type { CreatedReply, RequestSummary, ReviewedReply, Store, TransitionedReply, AlertState } from '../../server/store/types'
import type { CreateRequestReply, RequestDetail, TransitionReply } from '../../shared/schemas/requests'
import type { AlertReviewReply, CreateAlertReply } from '../../shared/schemas/alerts'
import type { PatrolReply } from '../../shared/schemas/patrols'
import type { ActivityReply } from '../../shared/schemas/activities'
import type { AlertList, RequestList, WorkerList } from '../../shared/schemas/views'
import type { ConfigReply, PolicyReply } from '../../shared/schemas/config'
import type { SessionReply } from '../../shared/schemas/session'
import { EventsReplySchema, LiveEventSchema, type EventsReply, type LiveEventReply } from '../../shared/schemas/events'
import type { Basemap } from '../../server/basemap/basemap'
import { buildTestApp, pointIn } from '../helpers/build-app'

/** What a store write gives when it succeeds. */
type Value<T> = Extract<T, { ok: true }> extends { value: infer V } ? V : never
type Resolved<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>

describe('the server replies with the schemas’ Static types', () => {
  it('the store’s write replies', () => {
    expectTypeOf<CreatedReply>().toEqualTypeOf<CreateRequestReply>()
    expectTypeOf<CreatedReply>().toEqualTypeOf<CreateAlertReply>()
    expectTypeOf<TransitionedReply>().toEqualTypeOf<TransitionReply>()
    expectTypeOf<ReviewedReply>().toEqualTypeOf<AlertReviewReply>()
    expectTypeOf<Value<Resolved<Store['createRequest']>>>().toEqualTypeOf<CreateRequestReply>()
    expectTypeOf<Value<Resolved<Store['createAlert']>>>().toEqualTypeOf<CreateAlertReply>()
    expectTypeOf<Value<Resolved<Store['transitionRequest']>>>().toEqualTypeOf<TransitionReply>()
    expectTypeOf<Value<Resolved<Store['reviewAlert']>>>().toEqualTypeOf<AlertReviewReply>()
    expectTypeOf<Value<Resolved<Store['recordActivity']>>>().toEqualTypeOf<ActivityReply>()
    expectTypeOf<Resolved<Store['appendPings']>>().toEqualTypeOf<PatrolReply>()
  })

  it('the store’s reads, as the list routes send them', () => {
    expectTypeOf<Resolved<Store['getRequest']>>().toEqualTypeOf<RequestDetail | undefined>()
    expectTypeOf<RequestSummary[]>().toExtend<RequestList['items']>()
    expectTypeOf<AlertState[]>().toExtend<AlertList['items']>()
    expectTypeOf<WorkerPosition[]>().toExtend<WorkerList['items']>()
  })

  it('the live events, the policy and the session', () => {
    // Both ways: the stream's events and playback's are one type.
    expectTypeOf<LiveEventReply>().toEqualTypeOf<LiveEvent>()
    expectTypeOf<EventsReply['events'][number]>().toEqualTypeOf<LiveEvent>()
    expectTypeOf<PolicyReply>().toEqualTypeOf<Policy>()
    expectTypeOf<Policy>().toExtend<ConfigReply['policy']>()
    expectTypeOf<Basemap['crs']>().toEqualTypeOf<NonNullable<ConfigReply['basemap']>['crs']>()
    expectTypeOf<SessionReply['role']>().toEqualTypeOf<SocketUser['role']>()
    expectTypeOf<Static<typeof EventsReplySchema>>().toEqualTypeOf<EventsReply>()
  })
})

describe('GET /api/v1/events sends exactly the live-event schemas', async () => {
  const NOW = Date.parse('2026-11-28T06:00:00Z')
  const t = await buildTestApp({ now: () => NOW })
  afterAll(() => t.close())

  it('every type of event, with no field the schema lacks', async () => {
    const location = pointIn(t.geography, '640106001')
    const post = async (url: string, payload: object) => {
      const res = await t.inject({ method: 'POST', url, payload })
      expect(res.statusCode, `${url} ${res.body}`).toBeLessThan(300)
    }
    // The worker reports first: a dispatch target must be someone the store has seen.
    await post('/api/v1/patrols', { pings: [{ workerId: 'w-1', kind: 'visit', location }] })
    await post('/api/v1/requests', { id: 'r-1', source: 'app', category: 'noise', priority: 'urgent', location })
    await post('/api/v1/requests/r-1/urge', { note: '督办' })
    await post('/api/v1/alarms/urgent:r-1/ack', {})
    await post('/api/v1/requests/r-1/transitions', { stage: 'dispatched', assignee: { kind: 'worker', id: 'w-1' } })
    await post('/api/v1/requests/r-1/transitions', { stage: 'accepted' })
    await post('/api/v1/requests/r-1/transitions', { stage: 'resolved' })
    await post('/api/v1/requests/r-1/transitions', { stage: 'reviewed', review: { resolved: true, satisfaction: 'satisfied' } })
    await post('/api/v1/alerts', { id: 'a-1', cameraId: 'cam-1', kind: 'ebike_in_elevator', confidence: 0.9, location })
    await post('/api/v1/alerts/a-1/review', { verdict: 'confirmed', raiseRequest: true })

    const res = await t.inject({ method: 'GET', url: '/api/v1/events?from=2026-11-28&to=2026-11-29' })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json() as EventsReply
    expect(Value.Check(EventsReplySchema, body)).toBe(true)
    expect(new Set(body.events.map((e) => e.type))).toEqual(new Set(EVENT_TYPES))
    for (const event of body.events) {
      const schema = LiveEventSchema.anyOf.find((s) => s.properties.type.const === event.type)!
      expect(Value.Check(schema, event), JSON.stringify(event)).toBe(true)
      expect(Object.keys(event).filter((k) => !(k in schema.properties)), event.type).toEqual([])
    }
  })
})
