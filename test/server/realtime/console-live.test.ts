// What the console's actions put on `/live`: alarms raised and acknowledged, urges, steps taken by
// people, to the sockets of the right scope only, with nothing personal on the stream; the snapshot
// of a scope carries its open alarms.
import { afterEach, describe, expect, it } from 'vitest'
import type { LiveEvent, OpenAlarm, SubscribeReply } from '../../../shared/events'
import { pointIn, startTestServer, type TestUser } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { waitFor } from '../../helpers/wait-for'

const A = '640106001'
const B = '640106002'
const LEADER_B: TestUser = { username: 'leader-b', password: 'leader-pass-b', role: 'leader', unit: B }

type Running = Awaited<ReturnType<typeof startTestServer>>
const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

async function start(): Promise<Running> {
  const server = await startTestServer({ users: [LEADER_B] })
  cleanups.push(() => server.close())
  return server
}

async function live(server: Running, cookie: string) {
  const c = await connectLive(server.url, cookie, { origin: server.url })
  cleanups.push(() => void c.socket.disconnect())
  return c
}

function data(reply: Awaited<ReturnType<typeof subscribe>>): SubscribeReply {
  if (!reply.ok) throw new Error(`subscribe failed: ${reply.error}`)
  return reply.data
}

/** The open alarms of a subscribe's snapshot. */
function alarmsOf(reply: Awaited<ReturnType<typeof subscribe>>): OpenAlarm[] {
  const answer = data(reply)
  if (!('snapshot' in answer)) throw new Error('a subscribe without sinceSeq answers a snapshot')
  return answer.snapshot.alarms
}

/** A write from a page of the server, with the session cookie (over real HTTP). */
async function write(server: Running, path: string, body: object = {}, cookie = server.headers.cookie) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: server.url },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('/live carries the console’s actions', () => {
  it('an urgent request’s alarm reaches the district, is in the snapshot, and its acknowledgement follows on the stream and in the audit', async () => {
    const server = await start()
    const district = await live(server, server.headers.cookie)
    expect(alarmsOf(await subscribe(district.socket, '640106'))).toEqual([])
    const streetB = await live(server, await server.login(LEADER_B))
    data(await subscribe(streetB.socket, B))

    const created = await write(server, '/api/v1/requests', {
      id: 'walk-in-1',
      source: 'walk_in',
      category: 'safety_hazard',
      priority: 'urgent',
      location: pointIn(server.geography, A),
      description: '燃气泄漏',
      reporter: { name: '张三', phone: '13812345678' },
    })
    expect(created.status).toBe(201)
    const raised = await waitFor(() => district.events().find((e) => e.type === 'alarm.raised'), 'alarm.raised on the district socket')
    expect(raised).toMatchObject({ type: 'alarm.raised', alarmId: 'urgent:walk-in-1', reason: 'urgent_request', subjectId: 'walk-in-1', gridId: created.body.gridId })

    // A fresh subscribe's snapshot pins it.
    const again = await live(server, server.headers.cookie)
    expect(alarmsOf(await subscribe(again.socket, A))).toEqual([
      expect.objectContaining({ alarmId: 'urgent:walk-in-1', reason: 'urgent_request', subjectId: 'walk-in-1', gridId: created.body.gridId }),
    ])

    const ack = await write(server, '/api/v1/alarms/urgent:walk-in-1/ack')
    expect(ack.status).toBe(201)
    const acked = await waitFor(() => district.events().find((e) => e.type === 'alarm.acked'), 'alarm.acked on the district socket')
    expect(acked).toMatchObject({ type: 'alarm.acked', alarmId: 'urgent:walk-in-1', by: 'center', seq: ack.body.seq })
    await waitFor(() => again.events().some((e) => e.type === 'alarm.acked'), 'alarm.acked on the street socket')
    const after = await live(server, server.headers.cookie)
    expect(alarmsOf(await subscribe(after.socket, A))).toEqual([])

    const audit = await server.app.audit.entries({ from: 0, to: Number.MAX_SAFE_INTEGER, limit: 100 })
    expect(audit.map((e) => `${e.actor.name} ${e.action} ${e.target}`)).toContain('center alarm.ack alarm:urgent:walk-in-1')

    // Street B's leader saw nothing of street A.
    const sentToB = streetB.events()
    expect(sentToB).toEqual([])
  })

  it('steps, urges and reviews by people go out without notes or personal data', async () => {
    const server = await start()
    const district = await live(server, server.headers.cookie)
    data(await subscribe(district.socket, '640106'))
    await write(server, '/api/v1/requests', {
      id: 'quiet',
      source: 'hotline',
      category: 'noise',
      priority: 'general',
      location: pointIn(server.geography, A),
      description: '楼上装修',
      reporter: { name: '李四', phone: '13900001111' },
    })
    expect((await write(server, '/api/v1/requests/quiet/transitions', { stage: 'dispatched', expectedStage: 'received', note: '私人备注-电话13900001111' })).status).toBe(201)
    expect((await write(server, '/api/v1/requests/quiet/urge', { note: '督办备注-秘密' })).status).toBe(201)
    await write(server, '/api/v1/alerts', { id: 'cam-q', cameraId: 'c-9', kind: 'smoke_fire', confidence: 0.8, location: pointIn(server.geography, A) })
    expect((await write(server, '/api/v1/alerts/cam-q/review', { verdict: 'false_positive' })).status).toBe(201)

    const types = (events: LiveEvent[]) => events.map((e) => e.type)
    const seen = await waitFor(() => {
      const events = district.events()
      return types(events).includes('alert.reviewed') && events
    }, 'the whole sequence on the stream')
    expect(types(seen)).toEqual(['request.received', 'request.transitioned', 'request.urged', 'alert.raised', 'alarm.raised', 'alert.reviewed'])
    expect(seen.find((e) => e.type === 'request.urged')).toEqual({
      type: 'request.urged',
      at: expect.any(Number),
      gridId: expect.any(String),
      requestId: 'quiet',
      by: 'center',
      seq: expect.any(Number),
    })
    const wire = JSON.stringify(seen)
    for (const secret of ['13900001111', '李四', '楼上装修', '私人备注', '督办备注']) expect(wire).not.toContain(secret)
  })
})
