// A request posted through Open311 takes the same way as POST /api/v1/requests: it reaches the
// wall's /live stream (a real server on port 0, a real socket.io-client) and the figures.
import { afterEach, describe, expect, it } from 'vitest'
import { pointIn, startTestServer } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { waitFor } from '../../helpers/wait-for'

const STREET_A = '640106001'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!()
})

describe('Open311 POST requests', () => {
  it('arrives on /live and in GET /api/v1/metrics, with no personal data on the stream', async () => {
    const server = await startTestServer()
    cleanups.push(() => server.close())
    const wall = await connectLive(server.url, server.headers.cookie)
    cleanups.push(() => void wall.socket.disconnect())
    const subscribed = await subscribe(wall.socket, '640106')
    expect(subscribed.ok).toBe(true)

    const { lon, lat } = pointIn(server.geography, STREET_A)
    const body = new URLSearchParams({
      api_key: server.headers.authorization.slice('Bearer '.length),
      jurisdiction_id: '640106',
      service_code: 'noise',
      lat: String(lat),
      long: String(lon),
      first_name: '建国',
      last_name: '王',
      phone: '13912345678',
      description: '楼上夜间装修',
    })
    const res = await fetch(`${server.url}/open311/v2/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    expect(res.status).toBe(201)
    const [created] = (await res.json()) as { service_request_id: string }[]
    const id = created!.service_request_id

    await waitFor(() => wall.events().some((e) => e.type === 'request.received' && e.requestId === id), 'the wall to see the Open311 request')
    const event = wall.events().find((e) => e.type === 'request.received' && e.requestId === id)!
    expect(event).toMatchObject({ type: 'request.received', category: 'noise', source: 'app' })
    expect(JSON.stringify(wall.batches)).not.toMatch(/建国|13912345678|装修/)

    const metrics = await fetch(`${server.url}/api/v1/metrics?unit=${STREET_A}`, { headers: { cookie: server.headers.cookie } })
    expect(metrics.status).toBe(200)
    const figures = ((await metrics.json()) as { figures: { requests: number; byCategory: Record<string, number> } }).figures
    expect(figures.requests).toBe(1)
    expect(figures.byCategory['noise']).toBe(1)
  })
})
