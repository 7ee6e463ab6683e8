import { describe, expect, it } from 'vitest'
import { pointIn } from '../../helpers/build-app'
import { STREET_A, useTestApp } from '../../helpers/route-app'

const app = useTestApp()
const { post, seq } = app

describe('POST /api/v1/patrols', () => {
  function ping(i: number, overrides: Record<string, unknown> = {}) {
    return { workerId: `w-${i % 7}`, kind: 'ping', location: pointIn(app.t.geography, STREET_A), ...overrides }
  }

  it('accepts up to 1,000 pings at once with consecutive seqs', async () => {
    const res = await post('/api/v1/patrols', { pings: Array.from({ length: 1000 }, (_, i) => ping(i)) })
    expect(res.statusCode).toBe(202)
    expect(res.json()).toEqual({ accepted: 1000, seq: 1000 })
  })

  it('rejects an empty batch, an oversized batch and a bad ping without storing any', async () => {
    expect((await post('/api/v1/patrols', { pings: [] })).json()).toMatchObject({ field: 'body/pings', rule: 'minItems' })
    expect((await post('/api/v1/patrols', { pings: Array.from({ length: 1001 }, (_, i) => ping(i)) })).json()).toMatchObject({
      field: 'body/pings',
      rule: 'maxItems',
    })
    const bad = await post('/api/v1/patrols', { pings: [ping(1), ping(2, { kind: 'nap' })] })
    expect(bad.json()).toMatchObject({ field: 'body/pings/1/kind', rule: 'enum' })
    const outside = await post('/api/v1/patrols', { pings: [ping(1), ping(2, { location: { lon: 100, lat: 30 } })] })
    expect(outside.statusCode).toBe(422)
    expect(outside.json().field).toBe('body/pings/1/location')
    expect(await seq()).toBe(0)
  })
})
