import { describe, expect, it } from 'vitest'
import { fingerprint, newId } from '../../../server/ingest/normalize'

describe('newId', () => {
  it('makes version 7 UUIDs that sort in the order they were made', () => {
    const t0 = Date.parse('2026-11-28T01:00:00Z')
    const ids = [newId('req', t0), newId('req', t0 + 1), newId('req', t0 + 60_000), newId('req', t0 + 86_400_000)]
    for (const id of ids) expect(id).toMatch(/^req-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect([...ids].sort()).toEqual(ids)
    // The time is in the first 48 bits, the rest is random.
    expect(Number.parseInt(ids[0]!.slice(4, 17).replace('-', ''), 16)).toBe(t0)
    expect(new Set(Array.from({ length: 1000 }, () => newId('req', t0))).size).toBe(1000)
  })
})

describe('fingerprint', () => {
  const body = {
    source: 'app',
    category: 'noise',
    priority: 'general',
    location: { lon: 106.23, lat: 38.49, crs: 'gcj02' },
    description: '楼道 "堆放"',
    reporter: { phone: '13900001111', name: '王五' },
    tags: [1, 'a', { z: 1, a: [null, true] }],
    skip: undefined,
  }

  it('is what earlier builds stored for the same body, so a retry still reads as a retry', () => {
    expect(fingerprint(body)).toBe('mXzI01TKc0oAriXDyhu6ZXuMFxRgwnFRE_vnprZI_lA')
  })

  it('ignores key order and absent fields, and tells other bodies apart', () => {
    const reordered = { tags: body.tags, reporter: { name: '王五', phone: '13900001111' }, location: body.location, priority: 'general', category: 'noise', source: 'app', description: body.description }
    expect(fingerprint(reordered)).toBe(fingerprint(body))
    expect(fingerprint({ ...body, priority: 'urgent' })).not.toBe(fingerprint(body))
  })
})
