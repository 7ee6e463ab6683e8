// The center's cameras (OUTPOST_CAMERAS): the registry file, alerts that name a registered camera
// instead of a place, and the simulator and backfill on any district (registered cameras, concave
// and multi-part grids, towns by name).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { distanceMetres, fromWgs84, toWgs84 } from '../../../shared/geo'
import type { GeoUnit, LonLat, PolygonCoords } from '../../../shared/domain'
import type { AlertRaisedEvent, LiveEvent } from '../../../shared/events'
import { CamerasFileError, parseCameras, readCamerasFile, type Camera } from '../../../server/geo/cameras'
import { Geography } from '../../../server/geo/geography'
import { GridArea } from '../../../server/sim/area'
import { backfill } from '../../../server/sim/backfill'
import { buildDistrict, createWalker, mulberry32, walk, MINUTE } from '../../../server/sim/model'
import { startSimulator } from '../../../server/sim/simulator'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { buildTestApp, firstGrid, pointIn, sampleGeography, startTestServer } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { generateDistrict } from '../../helpers/generated-district'
import { LIVENESS_MS, waitFor } from '../../helpers/wait-for'

const geography = sampleGeography()
const DISTRICT = { id: geography.district.id, level: 'district' as const }
const dir = mkdtempSync(join(tmpdir(), 'outpost-cameras-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
function csv(text: string): string {
  const file = join(dir, `cameras-${++files}.csv`)
  writeFileSync(file, text)
  return file
}

/** The problems a file's reading throws (none: the cameras were read). */
function problemsOf(file: string, on: Geography = geography): string[] {
  try {
    readCamerasFile(file, on)
    return []
  } catch (error) {
    expect(error).toBeInstanceOf(CamerasFileError)
    return [...(error as CamerasFileError).problems]
  }
}

const GRID_A = firstGrid(geography, '640106001')
const GRID_B = firstGrid(geography, '640106002')
/** Grid middles, to 7 decimals as cameras are stored. */
const round7 = (p: LonLat): LonLat => ({ lon: Math.round(p.lon * 1e7) / 1e7, lat: Math.round(p.lat * 1e7) / 1e7 })
const A = round7(pointIn(geography, GRID_A))
const B = round7(pointIn(geography, GRID_B))

describe('the camera file', () => {
  it('reads UTF-8 with a BOM, CRLF, RFC 4180 quoting, and converts a gcj02 row to WGS84', () => {
    const gcj = fromWgs84(B, 'gcj02')
    const file = csv(
      '\ufeffid,name,lon,lat,crs\r\n' +
        `cam-1,"北门, 东侧 ""1号""",${A.lon},${A.lat},wgs84\r\n` +
        `cam-2,南门,${gcj.lon},${gcj.lat},GCJ02\r\n` +
        `cam-3,"two\nlines",${A.lon},${A.lat},\r\n` +
        '\r\n',
    )
    const cameras = readCamerasFile(file, geography)
    expect(cameras.map((c) => c.id)).toEqual(['cam-1', 'cam-2', 'cam-3'])
    expect(cameras[0]).toEqual({ id: 'cam-1', name: '北门, 东侧 "1号"', lon: A.lon, lat: A.lat })
    expect(cameras[2]!.name).toBe('two\nlines')
    // Converted with the project's conversion, to 7 decimals; read as WGS84 it would be ~500 m off.
    const converted = toWgs84(gcj, 'gcj02')
    expect(cameras[1]!.lon).toBe(Math.round(converted.lon * 1e7) / 1e7)
    expect(cameras[1]!.lat).toBe(Math.round(converted.lat * 1e7) / 1e7)
    expect(distanceMetres(cameras[1]!, B)).toBeLessThan(1)
    expect(distanceMetres(gcj, B)).toBeGreaterThan(100)
    expect(geography.locate(cameras[1]!)?.gridId).toBe(GRID_B)
  })

  it('takes a file without the crs column as WGS84', () => {
    const cameras = readCamerasFile(csv(`id,name,lon,lat\ncam-9,西门,${B.lon},${B.lat}\n`), geography)
    expect(cameras).toEqual([{ id: 'cam-9', name: '西门', lon: B.lon, lat: B.lat }])
  })

  it('names the file, the line and the camera in every problem', () => {
    const file = csv(
      [
        'id,name,lon,lat,crs',
        `cam-ok,好,${A.lon},${A.lat},wgs84`,
        `cam-short,少,${A.lon}`,
        `cam-long,多,${A.lon},${A.lat},wgs84,extra`,
        `cam-nan,东,abc,${A.lat},wgs84`,
        `cam-hex,东,0x10,${A.lat},wgs84`,
        `cam-lat,北,${A.lon},91,wgs84`,
        `cam-crs,南,${A.lon},${A.lat},utm`,
        `cam-ok,again,${A.lon},${A.lat},wgs84`,
        `cam 7,space,${A.lon},${A.lat},wgs84`,
        `,无名,${A.lon},${A.lat},wgs84`,
        `cam-name,,${A.lon},${A.lat},wgs84`,
        'cam-far,天安门,116.3975,39.9087,wgs84',
      ].join('\n'),
    )
    const problems = problemsOf(file)
    const expected: [number, string, RegExp][] = [
      [3, 'cam-short', /3 fields where the header has 5 \(missing fields/],
      [4, 'cam-long', /6 fields where the header has 5 \(extra fields/],
      [5, 'cam-nan', /lon "abc" is not a number/],
      [6, 'cam-hex', /lon "0x10" is not a number/],
      [7, 'cam-lat', /lat 91 is out of range \(-90 to 90\)/],
      [8, 'cam-crs', /crs "utm" is not one of wgs84, gcj02, bd09/],
      [9, 'cam-ok', /the id is listed twice \(first on line 2\)/],
      [10, '"cam 7"', /the id must be 1–64 characters/],
      [11, '(no id)', /the id is empty/],
      [12, 'cam-name', /the name is empty/],
      [13, 'cam-far', /116\.397500, 39\.908700 \(WGS84\) lies outside every grid of 金凤区/],
    ]
    expect(problems).toHaveLength(expected.length)
    for (const [i, [line, id, what]] of expected.entries()) {
      expect(problems[i]).toContain(`${file} line ${line}, camera ${id}: `)
      expect(problems[i]).toMatch(what)
    }
    // The error's message carries them all, for the start's "configuration error" line.
    expect(() => readCamerasFile(file, geography)).toThrow(`${file}: ${expected.length} problems:`)
  })

  it('refuses a wrong header, an empty file, a file of no cameras and a broken quote', () => {
    expect(problemsOf(csv(`id,name,lat,lon\ncam-1,x,${A.lat},${A.lon}\n`))).toEqual([
      expect.stringMatching(/line 1: the header is "id,name,lat,lon"; it must be id,name,lon,lat \(and optionally ,crs\)/),
    ])
    expect(problemsOf(csv(`id,name,lon,lat,crs,floor\n`))[0]).toMatch(/line 1: the header is/)
    expect(problemsOf(csv(''))[0]).toMatch(/is empty: the first line must be the header/)
    expect(problemsOf(csv('id,name,lon,lat\n'))[0]).toMatch(/lists no cameras below its header/)
    const broken = csv(`id,name,lon,lat\ncam-1,ok,${A.lon},${A.lat}\ncam-2,"never closed,${A.lon},${A.lat}\n`)
    expect(problemsOf(broken)).toEqual([`${broken} line 3: a quoted field is never closed (a missing ")`])
    const stray = csv(`id,name,lon,lat\ncam-1,say "hi",${A.lon},${A.lat}\n`)
    expect(problemsOf(stray)[0]).toMatch(/line 2: a quote inside an unquoted field/)
  })

  it('refuses a file that is not UTF-8, and one that cannot be read', () => {
    const latin1 = join(dir, 'latin1.csv')
    writeFileSync(latin1, Buffer.from(`id,name,lon,lat\ncam-1,caf\xe9,${A.lon},${A.lat}\n`, 'latin1'))
    expect(problemsOf(latin1)[0]).toMatch(/is not UTF-8 text/)
    expect(problemsOf(join(dir, 'missing.csv'))[0]).toMatch(/missing\.csv: cannot read the camera file/)
  })

  it('checks against the district given: a camera of another district is outside', () => {
    const other = new Geography(generateDistrict())
    const file = csv(`id,name,lon,lat\ncam-1,x,${A.lon},${A.lat}\n`)
    expect(problemsOf(file, other)).toEqual([expect.stringMatching(/line 2, camera cam-1: .* lies outside every grid of 测试区/)])
    expect(parseCameras(`id,name,lon,lat\ncam-1,x,${A.lon},${A.lat}\n`, 'inline.csv', geography)).toHaveLength(1)
  })
})

describe('alerts from registered cameras', () => {
  const cameras: Camera[] = [
    { id: 'cam-north-1', name: '北门', lon: A.lon, lat: A.lat },
    { id: 'cam-south-2', name: '南门', lon: B.lon, lat: B.lat },
  ]
  const alert = (extra: object) => ({ kind: 'smoke_fire', confidence: 0.9, at: '2026-11-28T05:00:00Z', ...extra })
  const NOW = Date.parse('2026-11-28T06:00:00Z')

  it('places an alert without a location at its camera: the reply, the stored alert and the live event', async () => {
    const server = await startTestServer({ cameras, now: () => NOW })
    try {
      const c = await connectLive(server.url, server.headers.cookie)
      try {
        const ack = await subscribe(c.socket, DISTRICT.id)
        expect(ack.ok).toBe(true)
        const res = await server.inject({ method: 'POST', url: '/api/v1/alerts', payload: alert({ id: 'al-cam', cameraId: 'cam-south-2' }) })
        expect(res.statusCode).toBe(201)
        expect(res.json()).toMatchObject({ id: 'al-cam', gridId: GRID_B })
        expect(await server.store.getAlert('al-cam')).toMatchObject({ cameraId: 'cam-south-2', gridId: GRID_B, lon: B.lon, lat: B.lat })
        const raised = await waitFor(
          () => c.events().find((e): e is AlertRaisedEvent => e.type === 'alert.raised' && e.alertId === 'al-cam'),
          'the alert on /live',
          LIVENESS_MS,
        )
        expect(raised).toMatchObject({ cameraId: 'cam-south-2', gridId: GRID_B, lon: B.lon, lat: B.lat })
      } finally {
        c.socket.disconnect()
      }
    } finally {
      await server.close()
    }
  })

  it('keeps the location an alert sends, registered camera or not', async () => {
    const t = await buildTestApp({ cameras, now: () => NOW })
    try {
      const own = await t.inject({ method: 'POST', url: '/api/v1/alerts', payload: alert({ id: 'al-own', cameraId: 'cam-north-1', location: B }) })
      expect(own.json()).toMatchObject({ gridId: GRID_B })
      expect(await t.store.getAlert('al-own')).toMatchObject({ lon: B.lon, lat: B.lat })
      const unknown = await t.inject({ method: 'POST', url: '/api/v1/alerts', payload: alert({ id: 'al-free', cameraId: 'cam-elsewhere', location: A }) })
      expect(unknown.statusCode).toBe(201)
      expect(unknown.json()).toMatchObject({ gridId: GRID_A })
      // A retry of a location-less alert is the same alert.
      const first = await t.inject({ method: 'POST', url: '/api/v1/alerts', payload: alert({ id: 'al-again', cameraId: 'cam-north-1' }) })
      const again = await t.inject({ method: 'POST', url: '/api/v1/alerts', payload: alert({ id: 'al-again', cameraId: 'cam-north-1' }) })
      expect(again.json()).toEqual(first.json())
    } finally {
      await t.close()
    }
  })

  it('answers 422 naming cameraId for an unknown camera without a location, and stores nothing', async () => {
    for (const registry of [cameras, undefined]) {
      const t = await buildTestApp({ now: () => NOW, ...(registry ? { cameras: registry } : {}) })
      try {
        const before = await t.store.lastSeq()
        const res = await t.inject({ method: 'POST', url: '/api/v1/alerts', payload: alert({ id: 'al-lost', cameraId: 'cam-nobody' }) })
        expect(res.statusCode).toBe(422)
        expect(res.json()).toEqual({
          statusCode: 422,
          error: 'Unprocessable Entity',
          message: expect.stringContaining('body/cameraId cam-nobody is not a registered camera'),
          field: 'body/cameraId',
          rule: 'registered-camera',
        })
        expect(await t.store.lastSeq()).toBe(before)
        expect(await t.store.getAlert('al-lost')).toBeUndefined()
      } finally {
        await t.close()
      }
    }
  })
})

describe('the simulator with registered cameras', () => {
  const cameras: Camera[] = [
    { id: 'cam-north-1', name: '北门', lon: A.lon, lat: A.lat },
    { id: 'cam-south-2', name: '南门', lon: B.lon, lat: B.lat },
  ]
  const byId = new Map(cameras.map((c) => [c.id, c]))
  /** 14:30 in Yinchuan. */
  const NOW = Date.UTC(2026, 4, 20, 6, 30)

  it('backfills alerts from the registered cameras only, at their places', async () => {
    const store = new SqliteStore({ filename: ':memory:' })
    try {
      const result = await backfill({ store, geography, cameras, days: 3, now: NOW, seed: 3 })
      const alerts = (await store.eventsBetween(DISTRICT, NOW - 3 * 86_400_000, NOW + 1, 1_000_000, ['alert.raised'])) as AlertRaisedEvent[]
      expect(alerts).toHaveLength(result.alerts)
      expect(alerts.length).toBeGreaterThan(20)
      for (const a of alerts) {
        const camera = byId.get(a.cameraId)
        expect(camera, a.cameraId).toBeDefined()
        expect({ lon: a.lon, lat: a.lat, gridId: a.gridId }).toEqual({ lon: camera!.lon, lat: camera!.lat, gridId: geography.locate(camera!)!.gridId })
      }
      expect(new Set(alerts.map((a) => a.cameraId))).toEqual(new Set(byId.keys()))
    } finally {
      await store.close()
    }
  })

  it('sends live alerts from the registered cameras, without a location, and every one is accepted', async () => {
    let clock = NOW
    const t = await buildTestApp({ cameras, now: () => clock })
    const bodies: Record<string, unknown>[] = []
    try {
      const sim = startSimulator({
        inject: (request) => {
          if (request.url === '/api/v1/alerts') bodies.push(request.payload as Record<string, unknown>)
          return t.inject(request)
        },
        geography: t.geography,
        cameras,
        speed: 3600,
        now: () => clock,
        seed: 5,
        autoTick: false,
      })
      for (let i = 0; i < 24; i++) {
        clock += 1000
        await sim.tick()
      }
      await sim.stop()
      expect(sim.stats().errors).toBe(0)
      expect(bodies.length).toBeGreaterThan(5)
      expect(bodies.filter((b) => !byId.has(b.cameraId as string) || 'location' in b)).toEqual([])
      const stored = (await t.store.eventsBetween(DISTRICT, NOW, clock + 1, 100_000, ['alert.raised'])) as AlertRaisedEvent[]
      expect(stored).toHaveLength(sim.stats().alerts)
      for (const a of stored) expect({ lon: a.lon, lat: a.lat }).toEqual({ lon: byId.get(a.cameraId)!.lon, lat: byId.get(a.cameraId)!.lat })
    } finally {
      await t.close()
    }
  })

  it('keeps its own cameras when none are registered', () => {
    const district = buildDistrict(geography, 1, [])
    expect(district.cameras.length).toBeGreaterThan(300)
    expect(district.cameras.every((c) => !c.registered && c.id.startsWith(`cam-${c.grid.id}-`))).toBe(true)
    expect(buildDistrict(geography, 1, cameras).cameras.map((c) => c.id)).toEqual(['cam-north-1', 'cam-south-2'])
  })
})

// ---- any district ----

/** 1e-3° squares around (106.2, 38.5): a U-shaped grid, the notch, a grid of two parts with a hole, the hole. */
function handMadeDistrict(): GeoUnit[] {
  const at = (x: number, y: number): [number, number] => [106.2 + x * 1e-3, 38.5 + y * 1e-3]
  const ring = (...points: [number, number][]) => [...points.map(([x, y]) => at(x, y)), at(...points[0]!)]
  const box = (x0: number, y0: number, x1: number, y1: number) => ring([x0, y0], [x1, y0], [x1, y1], [x0, y1])
  const whole: PolygonCoords = [box(0, 0, 9, 4)]
  const units: GeoUnit[] = [
    { id: '990101', level: 'district', parentId: null, name: '手工区', geometry: { type: 'Polygon', coordinates: whole } },
    { id: '990101001', level: 'street', parentId: '990101', name: '小河镇', geometry: { type: 'Polygon', coordinates: whole } },
    { id: '990101001001', level: 'community', parentId: '990101001', name: '小河村', geometry: { type: 'Polygon', coordinates: whole } },
  ]
  const grid = (n: number, geometry: GeoUnit['geometry']): GeoUnit => ({ id: `990101001001${String(n).padStart(2, '0')}`, level: 'grid', parentId: '990101001001', name: `网格${n}`, geometry, population: 800 })
  units.push(
    // A U: its box is two thirds inside; a straight walk from one arm to the other leaves it.
    grid(1, { type: 'Polygon', coordinates: [ring([0, 0], [3, 0], [3, 4], [2, 4], [2, 1], [1, 1], [1, 4], [0, 4])] }),
    grid(2, { type: 'Polygon', coordinates: [box(1, 1, 2, 4)] }),
    // Two parts, the second with a hole (clockwise) that is grid 4; and a thin diagonal sliver.
    grid(3, {
      type: 'MultiPolygon',
      coordinates: [
        [box(3, 0, 6, 4), ring([4, 1], [4, 3], [5, 3], [5, 1])],
        [ring([6, 0], [9, 3.9], [9, 4], [6, 0.1])],
      ],
    }),
    grid(4, { type: 'Polygon', coordinates: [box(4, 1, 5, 3)] }),
    grid(5, { type: 'Polygon', coordinates: [ring([6, 0], [9, 0], [9, 3.9])] }),
    grid(6, { type: 'Polygon', coordinates: [ring([6, 0.1], [9, 4], [6, 4])] }),
  )
  return units
}

/** Every event with a place lies in the grid it names, as the ingest API would place it. */
function strays(events: readonly LiveEvent[], on: Geography): string[] {
  const out: string[] = []
  for (const e of events) {
    if (!('lon' in e)) continue
    const found = on.locate({ lon: e.lon, lat: e.lat })?.gridId
    if (found !== e.gridId) out.push(`${e.type} at ${e.lon},${e.lat}: in ${found ?? 'no grid'}, named ${e.gridId}`)
  }
  return out
}

describe('the simulator on any district', () => {
  const hand = new Geography(handMadeDistrict())

  it('draws points inside concave and multi-part grids, and walks without leaving them', () => {
    const rand = mulberry32(42)
    for (const unit of hand.units.filter((u) => u.level === 'grid')) {
      const area = new GridArea(unit.geometry, (p) => hand.locate(p)?.gridId === unit.id)
      expect(area.isRect).toBe(unit.id.endsWith('2') || unit.id.endsWith('4'))
      const outside: LonLat[] = []
      for (let i = 0; i < 500; i++) {
        const p = area.randomPoint(rand)
        if (hand.locate(p)?.gridId !== unit.id) outside.push(p)
      }
      expect(outside, unit.id).toEqual([])
      expect(hand.locate(area.interior())?.gridId, unit.id).toBe(unit.id)
      // A worker's day in five-minute steps; a straight line across the U's notch would leave it.
      const walker = createWalker(rand, area)
      const left: string[] = []
      for (let step = 0; step < 600; step++) {
        walk(rand, walker, area, 5 * MINUTE)
        if (hand.locate({ lon: walker.lon, lat: walker.lat })?.gridId !== unit.id) left.push(`${unit.id} step ${step}`)
      }
      expect(left).toEqual([])
    }
  })

  it('makes towns of streets named 镇 or 乡, on any district', () => {
    const units = generateDistrict({ streets: 3 }).map((u) => (u.level === 'street' && u.name === '第2街道' ? { ...u, name: '第2镇' } : u))
    const generated = new Geography(units)
    const town = units.find((u) => u.name === '第2镇')!.id
    const district = buildDistrict(generated, 1)
    expect(district.grids.filter((g) => g.town).map((g) => g.id)).toEqual(district.grids.filter((g) => g.path.streetId === town).map((g) => g.id))
    expect(district.grids.some((g) => g.town)).toBe(true)
    expect(buildDistrict(hand, 1).grids.every((g) => g.town)).toBe(true)
  })

  it('backfills a day of a generated district and a hand-made one, every event inside its grid', async () => {
    /** 14:30 local: the day's patrols are there. */
    const NOW = Date.UTC(2026, 4, 20, 6, 30)
    const generated = new Geography(generateDistrict({ streets: 3, communitiesPerStreet: 2, gridsPerCommunity: 4, verticesPerEdge: 12, multiPolygonStreets: 1 }))
    for (const on of [generated, hand]) {
      const store = new SqliteStore({ filename: ':memory:' })
      try {
        const result = await backfill({ store, geography: on, days: 1, now: NOW, seed: 9 })
        const events = await store.eventsBetween({ id: on.district.id, level: 'district' }, NOW - 86_400_000, NOW + 1, 1_000_000)
        expect(events).toHaveLength(result.seq)
        expect(result.requests).toBeGreaterThan(200)
        expect(result.pings).toBeGreaterThan(0)
        expect(new Set(events.map((e) => e.type))).toEqual(new Set(['request.received', 'request.transitioned', 'alert.raised', 'alert.reviewed', 'patrol.reported']))
        expect(strays(events, on)).toEqual([])
      } finally {
        await store.close()
      }
    }
  })

  it('runs live on a hand-made district through the real API without a failed call', async () => {
    let clock = Date.UTC(2026, 4, 20, 1, 0)
    const start = clock
    const t = await buildTestApp({ geography: hand, now: () => clock })
    try {
      const sim = startSimulator({ inject: (r) => t.inject(r), geography: hand, speed: 3600, now: () => clock, seed: 2, autoTick: false })
      for (let i = 0; i < 12; i++) {
        clock += 1000
        await sim.tick()
      }
      await sim.stop()
      expect(sim.stats().errors).toBe(0)
      expect(sim.stats().pings).toBeGreaterThan(0)
      const events = await t.store.eventsBetween({ id: hand.district.id, level: 'district' }, start - 60_000, clock + 1, 1_000_000)
      expect(events.length).toBeGreaterThan(100)
      // Pings name their worker's grid: placed by the API, they must land in it.
      const pings = events.filter((e) => e.type === 'patrol.reported')
      expect(pings.filter((p) => p.type === 'patrol.reported' && p.workerId !== `w-${p.gridId}`)).toEqual([])
    } finally {
      await t.close()
    }
  })
})
