// A center's own district, loaded from a geography file, served everywhere instead of the sample:
// in an app built on it, and in a real `server/main.ts` process started with OUTPOST_GEOGRAPHY.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GeoUnit } from '../../../shared/domain'
import type { PublicStats } from '../../../shared/public'
import { demoAccounts } from '../../../server/auth/demo'
import { geographyFileText, loadGeography } from '../../../server/geo/geography-file'
import type { Geography } from '../../../server/geo/geography'
import { pointIn, sampleGeography, startTestServer } from '../../helpers/build-app'
import { connectLive, subscribe } from '../../helpers/connect-client'
import { GENERATED_DISTRICT_ID, GENERATED_DISTRICT_NAME, generateDistrict } from '../../helpers/generated-district'
import { waitFor } from '../../helpers/wait-for'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

let dir: string
let units: GeoUnit[]
let text: string
let file: string
let geography: Geography
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-own-district-'))
  // Irregular polygons, one street in two parts: nothing like the sample's rectangles.
  units = generateDistrict({ streets: 3, communitiesPerStreet: 2, gridsPerCommunity: 3, verticesPerEdge: 6, multiPolygonStreets: 1 })
  text = geographyFileText(units)
  file = join(dir, 'geography.json')
  writeFileSync(file, text)
  geography = loadGeography(file)
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

const streetsOf = (g: Geography) => g.children(g.district.id)

describe('an app built on a district loaded from a file', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>
  beforeAll(async () => {
    server = await startTestServer({ geography })
  })
  afterAll(async () => {
    await server?.close()
  })

  it('GET /api/v1/geography is the file’s district, unit for unit', async () => {
    const res = await server.inject({ method: 'GET', url: '/api/v1/geography' })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual(JSON.parse(text))
    // …and so exporting what it serves gives the file's bytes back.
    expect(geographyFileText(units)).toBe(text)
  })

  it('places a request in the grid of the district that contains it, refuses one outside, counts it in the figures and streams it to the street', async () => {
    const street = streetsOf(geography).find((s) => s.geometry.type === 'MultiPolygon') ?? streetsOf(geography)[0]!
    const live = await connectLive(server.url, server.headers.cookie)
    try {
      const reply = await subscribe(live.socket, street.id)
      expect(reply.ok).toBe(true)

      const point = pointIn(geography, street.id)
      const grid = geography.locate(point)!
      expect(grid.streetId).toBe(street.id)
      const created = await server.inject({
        method: 'POST',
        url: '/api/v1/requests',
        payload: { id: 'own-1', source: 'app', category: 'environment', priority: 'general', location: point },
      })
      expect(created.statusCode).toBe(201)
      expect(created.json()).toMatchObject({ id: 'own-1', gridId: grid.gridId })

      // The sample district's centre lies outside this one.
      const outside = await server.inject({
        method: 'POST',
        url: '/api/v1/requests',
        payload: { id: 'own-2', source: 'app', category: 'environment', priority: 'general', location: pointIn(sampleGeography(), '640106001') },
      })
      expect(outside.statusCode).toBe(422)
      expect(outside.json()).toMatchObject({ field: 'body/location', rule: 'within-area' })
      expect(outside.json().message).toContain(`lies outside every grid of ${GENERATED_DISTRICT_NAME}`)

      const figures = await server.inject({ method: 'GET', url: `/api/v1/metrics?unit=${street.id}` })
      expect(figures.statusCode).toBe(200)
      expect(figures.json().figures.requests).toBe(1)
      const other = streetsOf(geography).find((s) => s.id !== street.id)!
      expect((await server.inject({ method: 'GET', url: `/api/v1/metrics?unit=${other.id}` })).json().figures.requests).toBe(0)
      expect((await server.inject({ method: 'GET', url: '/api/v1/metrics?unit=640106001' })).statusCode).toBe(404)

      await waitFor(() => live.events().length >= 1, 'the street’s subscriber to get the request')
      expect(live.events()[0]).toMatchObject({ type: 'request.received', requestId: 'own-1', gridId: grid.gridId })
    } finally {
      live.socket.disconnect()
    }
  })

  it('the kiosk’s units are the district’s streets and communities with their names', async () => {
    const district = (await server.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${GENERATED_DISTRICT_ID}` })).json() as PublicStats
    expect(district).toMatchObject({ unit: GENERATED_DISTRICT_ID, name: GENERATED_DISTRICT_NAME, level: 'district' })
    expect(district.comparison.level).toBe('street')
    expect(district.comparison.units.map((u) => [u.unit, u.name]).sort()).toEqual(streetsOf(geography).map((s) => [s.id, s.name]).sort())

    const street = streetsOf(geography)[1]!
    const community = geography.children(street.id)[0]!
    const stats = (await server.app.inject({ method: 'GET', url: `/api/v1/public/stats?unit=${community.id}` })).json() as PublicStats
    expect(stats).toMatchObject({ unit: community.id, name: community.name, level: 'community' })
    expect(stats.comparison.level).toBe('community')
    expect(stats.comparison.units.map((u) => [u.unit, u.name]).sort()).toEqual(geography.children(street.id).map((c) => [c.id, c.name]).sort())
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/public/stats?unit=640106' })).statusCode).toBe(404)
  })
})

describe('demo accounts', () => {
  it('are the center at the district and a leader a street, for the sample as before and for any district', () => {
    expect(demoAccounts(sampleGeography())).toEqual([
      { username: 'center', role: 'center', unit: '640106' },
      ...['640106001', '640106002', '640106003', '640106004', '640106005', '640106006', '640106100', '640106101'].map((unit) => ({ username: `leader-${unit}`, role: 'leader', unit })),
    ])
    const accounts = demoAccounts(geography)
    expect(accounts[0]).toEqual({ username: 'center', role: 'center', unit: GENERATED_DISTRICT_ID })
    expect(accounts.slice(1)).toEqual(streetsOf(geography).map((s) => ({ username: `leader-${s.id}`, role: 'leader', unit: s.id })))
    expect(accounts).toHaveLength(4)
  })
})

/** `server/main.ts` as `npm start` runs it, with its output collected. */
function startMain(env: Record<string, string>): { child: ChildProcess; output: () => string; stderr: () => string; exited: Promise<number | null> } {
  const base = { ...process.env }
  for (const name of Object.keys(base)) if (name.startsWith('OUTPOST_')) delete base[name]
  const child = spawn(join(repoRoot, 'node_modules/.bin/tsx'), ['server/main.ts'], {
    cwd: repoRoot,
    env: { ...base, PORT: '0', HOST: '127.0.0.1', OUTPOST_SIM: 'off', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, output: () => out, stderr: () => err, exited }
}

describe('a server process started with OUTPOST_GEOGRAPHY', () => {
  const running: ChildProcess[] = []
  afterAll(async () => {
    for (const child of running) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      const gone = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await gone
    }
  })

  // The first start may build the client (main does when dist/ is stale): minutes on a busy machine.
  it('serves the file’s district', { timeout: 300_000 }, async () => {
    const data = mkdtempSync(join(dir, 'data-'))
    const main = startMain({ OUTPOST_GEOGRAPHY: file, OUTPOST_DATA_DIR: data, OUTPOST_ADMIN_PASSWORD: 'admin-pass-12345' })
    running.push(main.child)
    let url = ''
    await waitFor(
      () => {
        if (main.child.exitCode !== null) throw new Error(`main exited ${main.child.exitCode}: ${main.stderr()}`)
        url = /outpost: listening on (http:\/\/\S+)/.exec(main.output())?.[1] ?? ''
        return url !== ''
      },
      'the "listening on" line',
      280_000,
    )
    await waitFor(() => main.output().includes(`units`), 'the district line')
    expect(main.output()).toContain(`district ${GENERATED_DISTRICT_NAME} (${GENERATED_DISTRICT_ID}) from ${file}, ${units.length} units`)

    const login = await fetch(`${url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-pass-12345' }),
    })
    expect(login.status).toBe(200)
    expect(await login.json()).toMatchObject({ role: 'center', unit: GENERATED_DISTRICT_ID })
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('outpost_session='))!.split(';')[0]!
    const served = await fetch(`${url}/api/v1/geography`, { headers: { cookie } })
    expect(served.status).toBe(200)
    expect(await served.json()).toEqual(JSON.parse(text))
  })

  it('stops with exit 1 and a message naming the file, the feature and the problem for a broken file', { timeout: 120_000 }, async () => {
    const features = JSON.parse(text).features as { id: string; properties: { level: string }; geometry: { type: string; coordinates: unknown[][] } }[]
    const grid = features.find((f) => f.properties.level === 'grid' && f.geometry.type === 'Polygon')!
    grid.geometry.coordinates[0]!.pop()
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, JSON.stringify({ type: 'FeatureCollection', features }))
    const main = startMain({ OUTPOST_GEOGRAPHY: broken, OUTPOST_DATA_DIR: mkdtempSync(join(dir, 'data-')) })
    running.push(main.child)
    expect(await main.exited).toBe(1)
    expect(main.stderr()).toContain(`outpost: configuration error: ${broken}: feature ${grid.id}: geometry.coordinates[0] is not a closed ring`)
    expect(main.output()).not.toContain('listening on')
  })
})
