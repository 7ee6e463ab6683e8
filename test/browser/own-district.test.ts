// The screens on a district that is not the sample: 20 streets, 3,000 irregular grids, two streets
// with an exclave (MultiPolygon), long imported names, far from Yinchuan. The wall's district
// scene shows every unit clear of the legend, a street scene its street, names never overlap, and
// the leader page and the kiosk show the district's own names.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { geometryBbox, polygonsOf, type GeoUnit } from '../../shared/domain'
import { Geography } from '../../server/geo/geography'
import { launchChromium, openWall } from '../helpers/browser'
import { GENERATED_DISTRICT_ID, LARGE_DISTRICT, generateDistrict } from '../helpers/generated-district'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'

/** Where the screenshots go (outside the repository): look at them, the test only writes them. */
const SHOTS = '/tmp/outpost-own-district'

const LABEL_LAYERS = ['labels-streets', 'labels-communities', 'labels-grids']

/**
 * The district: Wuhan's longitude and latitude (the generator's default corner), 3,000 grids with
 * wiggly edges (fewer vertices than the bench's 500 a ring: software WebGL draws every one), in a
 * 0.4° × 0.2° box, where the generator lays streets out as blocks rather than long strips.
 */
function buildDistrict(): GeoUnit[] {
  const units = generateDistrict({ ...LARGE_DISTRICT, widthDeg: 0.4, heightDeg: 0.2, verticesPerEdge: 24, multiPolygonStreets: 2, seed: 7 })
  const byId = new Map(units.map((u) => [u.id, u]))
  // Names as imports bring them: long official names, a Latin one.
  const rename: Record<string, string> = {
    [`${GENERATED_DISTRICT_ID}001`]: '长江新城滨江街道办事处（原沿江大道街道）',
    [`${GENERATED_DISTRICT_ID}002`]: 'Riverside Garden Street',
    [`${GENERATED_DISTRICT_ID}001001`]: '滨江花园第一社区居民委员会',
  }
  for (const [id, name] of Object.entries(rename)) byId.get(id)!.name = name
  // People live in a dense core of four streets, the rest is fields: a frame by where people live
  // would leave most of the district out. Populations still sum upwards.
  const core = new Set(['006', '007', '011', '012'].map((s) => `${GENERATED_DISTRICT_ID}${s}`))
  for (const u of units) if (u.level !== 'grid') u.population = 0
  for (const g of units.filter((u) => u.level === 'grid')) {
    if (core.has(g.id.slice(0, 9))) g.population! *= 30
    for (let p = byId.get(g.parentId!); p; p = p.parentId ? byId.get(p.parentId) : undefined) p.population! += g.population!
  }
  return units
}

const units = buildDistrict()
const geography = new Geography(units)
const district = geography.district
const streets = units.filter((u) => u.level === 'street')
const EXCLAVE_STREET = `${GENERATED_DISTRICT_ID}001`
const LEADER = { username: 'own-leader', password: 'own-leader-password-1', role: 'leader' as const, unit: EXCLAVE_STREET }

/** Every unit's box [west, south, east, north] under a unit, the unit included. */
function boxesUnder(id: string): [number, number, number, number][] {
  const out: [number, number, number, number][] = []
  const visit = (unitId: string) => {
    out.push(geometryBbox(geography.get(unitId)!.geometry))
    for (const c of geography.children(unitId)) visit(c.id)
  }
  visit(id)
  return out
}

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  server = await serveBuiltApp({ geography, users: [LEADER] })
  // Some requests, so the kiosk and the wall have figures to show.
  for (const [i, s] of streets.slice(0, 8).entries()) {
    const grid = geography.children(geography.children(s.id)[0]!.id)[0]!
    const [w, so, e, n] = geometryBbox(grid.geometry)
    const res = await server.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id: `own-${i}`, source: 'hotline', category: 'environment', priority: 'general', location: { lon: (w + e) / 2, lat: (so + n) / 2 } },
    })
    expect(res.statusCode, res.body).toBe(201)
  }
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** The map framed on `unit` and drawn (every tile and name placed). */
async function waitForFrame(page: Page, selector: string): Promise<void> {
  await page.locator(selector).waitFor({ timeout: LIVENESS_MS })
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.__outpostMap!
        if (map.loaded() && !map.isMoving()) resolve()
        else map.once('idle', () => resolve())
      }),
  )
}

/** Whether the map's visible bounds hold every box. Returns the ones left out. */
async function outOfView(page: Page, boxes: [number, number, number, number][]): Promise<number> {
  return page.evaluate((list) => {
    const b = window.__outpostMap!.getBounds()
    const eps = 1e-9
    return list.filter(([w, s, e, n]) => w < b.getWest() - eps || s < b.getSouth() - eps || e > b.getEast() + eps || n > b.getNorth() + eps).length
  }, boxes)
}

/** The unit's box on screen lies inside the map's canvas and above the legend drawn over it. */
async function expectClearOfLegend(page: Page, unitId: string): Promise<void> {
  const clear = await page.evaluate(
    ([w, s, e, n]) => {
      const map = window.__outpostMap!
      const canvas = map.getCanvas().getBoundingClientRect()
      const legend = document.querySelector('[data-testid="map-legend"]')!.getBoundingClientRect()
      const sw = map.project([w, s])
      const ne = map.project([e, n])
      return { bottom: canvas.top + sw.y, legendTop: legend.top, left: canvas.left + sw.x, right: canvas.left + ne.x, top: canvas.top + ne.y, canvas: { left: canvas.left, right: canvas.right, top: canvas.top } }
    },
    geometryBbox(geography.get(unitId)!.geometry),
  )
  expect(clear.bottom).toBeLessThanOrEqual(clear.legendTop)
  expect(clear.left).toBeGreaterThanOrEqual(clear.canvas.left)
  expect(clear.right).toBeLessThanOrEqual(clear.canvas.right)
  expect(clear.top).toBeGreaterThanOrEqual(clear.canvas.top)
}

interface PlacedLabel {
  id: string
  level: string
  name: string
  box: { left: number; top: number; right: number; bottom: number }
}

/** The names MapLibre placed, each with its box on the canvas (its image's size about its point). */
async function placedLabels(page: Page): Promise<PlacedLabel[]> {
  return page.evaluate((layers) => {
    const map = window.__outpostMap!
    const seen = new Set<string>()
    const out: PlacedLabel[] = []
    for (const f of map.queryRenderedFeatures({ layers: layers.filter((l) => map.getLayer(l)) })) {
      const id = String(f.properties?.id)
      if (seen.has(id)) continue
      seen.add(id)
      const image = map.getImage(String(f.properties?.image))
      if (!image) continue
      const [lon, lat] = (f.geometry as unknown as { coordinates: [number, number] }).coordinates
      const p = map.project([lon, lat])
      const width = image.data.width / image.pixelRatio
      const height = image.data.height / image.pixelRatio
      out.push({
        id,
        level: String(f.properties?.level),
        name: String(f.properties?.name),
        box: { left: p.x - width / 2, top: p.y - height / 2, right: p.x + width / 2, bottom: p.y + height / 2 },
      })
    }
    return out
  }, LABEL_LAYERS)
}

/** Pairs of names whose boxes overlap by more than a pixel (rounding). */
function overlaps(labels: PlacedLabel[]): string[] {
  const out: string[] = []
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i]!.box
      const b = labels[j]!.box
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left)
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
      if (w > 1 && h > 1) out.push(`${labels[i]!.name} × ${labels[j]!.name}`)
    }
  }
  return out
}

describe('the screens on a district of its own (20 streets, 3,000 grids, exclaves, long names)', () => {
  it("the wall's district scene shows every unit, clear of the legend, with the streets' names and no pile-up", async () => {
    // The center user's account names the sample's district: the wall shows the district in use.
    const { page, errors, offsite, context } = await openWall(browser, server)
    await waitForFrame(page, `[data-testid="map"][data-framed-unit="${district.id}"]`)
    await page.screenshot({ path: join(SHOTS, 'wall-district-1920x1080.png') })
    expect(await page.locator('[data-testid="wall"]').getAttribute('data-scene')).toBe(district.id)
    expect(await page.locator('[data-testid="area-name"]').textContent()).toBe(district.name)

    // Every street, community and grid, every part of the exclaves, is in the visible bounds.
    expect(await outOfView(page, boxesUnder(district.id))).toBe(0)
    // And none of it lies under the legend.
    await expectClearOfLegend(page, district.id)

    // Names: streets' (nearly all of the 20), not the communities' or the 3,000 grids', none overlapping.
    const labels = await placedLabels(page)
    const levels = labels.map((l) => l.level)
    expect(levels.filter((l) => l === 'street').length).toBeGreaterThanOrEqual(16)
    expect(levels.filter((l) => l !== 'street')).toEqual([])
    expect(overlaps(labels)).toEqual([])
    // The long names are set on two lines, not as a bar across the map.
    const long = labels.find((l) => l.id === EXCLAVE_STREET)
    if (long) expect(long.box.right - long.box.left).toBeLessThan(300)

    expect(errors).toEqual([])
    expect(offsite).toEqual([])
    await context.close()
  })

  it('a street scene fits its street (both parts of an exclave street), a community scene its grids, names never overlapping', async () => {
    const { page, errors, context } = await openWall(browser, server, { path: `/wall?scene=${EXCLAVE_STREET}` })
    await waitForFrame(page, `[data-testid="map"][data-framed-unit="${EXCLAVE_STREET}"]`)
    await page.screenshot({ path: join(SHOTS, 'wall-exclave-street-1920x1080.png') })
    expect(geography.get(EXCLAVE_STREET)!.geometry.type).toBe('MultiPolygon')
    expect(polygonsOf(geography.get(EXCLAVE_STREET)!.geometry)).toHaveLength(2)
    expect(await outOfView(page, boxesUnder(EXCLAVE_STREET))).toBe(0)
    expect(await page.locator('[data-testid="area-name"]').textContent()).toBe(geography.get(EXCLAVE_STREET)!.name)
    // Its scene names what lies in it: its own long name (two lines), none of its neighbours'.
    const exclave = await placedLabels(page)
    expect(exclave.filter((l) => l.level === 'street').map((l) => l.id)).toEqual([EXCLAVE_STREET])
    expect(exclave.every((l) => l.id.startsWith(EXCLAVE_STREET))).toBe(true)
    expect(overlaps(exclave)).toEqual([])

    // A street in one piece: framed on it, most of the district out of view, its communities named.
    const plain = streets[7]!.id
    await page.goto(`${server.url}/wall?scene=${plain}`)
    await waitForFrame(page, `[data-testid="map"][data-framed-unit="${plain}"]`)
    await page.screenshot({ path: join(SHOTS, 'wall-street-1920x1080.png') })
    expect(await outOfView(page, boxesUnder(plain))).toBe(0)
    expect(await outOfView(page, boxesUnder(district.id))).toBeGreaterThan(1_000)
    const street = await placedLabels(page)
    expect(street.filter((l) => l.level === 'community').length).toBeGreaterThanOrEqual(geography.children(plain).length / 2)
    expect(overlaps(street)).toEqual([])

    // A community: its grids are named where they hold their names.
    const community = geography.children(plain)[0]!.id
    await page.goto(`${server.url}/wall?scene=${community}`)
    await waitForFrame(page, `[data-testid="map"][data-framed-unit="${community}"]`)
    await page.screenshot({ path: join(SHOTS, 'wall-community-1920x1080.png') })
    expect(await outOfView(page, boxesUnder(community))).toBe(0)
    // A community taller than wide fills the map's height: its south edge ends above the legend.
    const [w, so, e, n] = geometryBbox(geography.get(community)!.geometry)
    expect((n - so) / ((e - w) * Math.cos((so * Math.PI) / 180))).toBeGreaterThan(1)
    await expectClearOfLegend(page, community)
    const grids = await placedLabels(page)
    expect(grids.filter((l) => l.level === 'grid').length).toBeGreaterThan(0)
    expect(overlaps(grids)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)

  it('the leader page frames the leader\'s exclave street and names its communities', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const [name, value] = (await server.login(LEADER)).split('=') as [string, string]
    await context.addCookies([{ name, value, url: server.url }])
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}/leader`)
    await waitForFrame(page, `[data-testid="leader-map"][data-ready-unit="${EXCLAVE_STREET}"]`)
    await page.screenshot({ path: join(SHOTS, 'leader-1440x900.png') })
    expect(await outOfView(page, boxesUnder(EXCLAVE_STREET))).toBe(0)
    // Its own long name on the page, its communities in the table.
    await expect.poll(() => page.locator('[data-testid="leader-main"]').textContent(), { timeout: LIVENESS_MS }).toContain(geography.get(EXCLAVE_STREET)!.name)
    const rows = page.locator('[data-testid="children-table"] tbody tr[data-unit]')
    await expect.poll(() => rows.count(), { timeout: LIVENESS_MS }).toBe(geography.children(EXCLAVE_STREET).length)
    expect(await page.locator('[data-testid="children-table"]').textContent()).toContain('滨江花园第一社区居民委员会')
    // Names only of what can be clicked (the street's communities), never over each other.
    const labels = await placedLabels(page)
    expect(labels.filter((l) => l.level !== 'community')).toEqual([])
    expect(overlaps(labels)).toEqual([])
    // Nothing spills sideways: no horizontal scrollbar from a long name.
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true)

    // A community of it: its grids, named where they hold their names.
    const community = `${EXCLAVE_STREET}001`
    await page.goto(`${server.url}/leader?unit=${community}`)
    await waitForFrame(page, `[data-testid="leader-map"][data-ready-unit="${community}"]`)
    await page.screenshot({ path: join(SHOTS, 'leader-community-1440x900.png') })
    expect(await outOfView(page, boxesUnder(community))).toBe(0)
    const grids = await placedLabels(page)
    expect(grids.every((l) => geography.get(l.id)!.parentId === community)).toBe(true)
    expect(overlaps(grids)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })

  it("the kiosk, portrait 1080×1920, shows the district's own names, the long one whole", async () => {
    const context = await browser.newContext({ viewport: { width: 1080, height: 1920 } })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}/kiosk?unit=${EXCLAVE_STREET}&every=3`)
    const title = page.locator('[data-testid="kiosk-title"]')
    await expect.poll(() => title.textContent(), { timeout: LIVENESS_MS }).toContain(geography.get(EXCLAVE_STREET)!.name)
    // The whole name is on screen: wrapped, not cut.
    expect(await title.evaluate((el) => el.scrollHeight <= el.clientHeight + 1 && el.scrollWidth <= el.clientWidth + 1)).toBe(true)
    // The comparison card lists the district's streets by their own names.
    const table = page.locator('[data-testid="kiosk-card"][data-kind="comparison"]')
    await table.waitFor({ timeout: LIVENESS_MS })
    const names = await table.locator('tbody th').allTextContents()
    expect(names.length).toBeGreaterThanOrEqual(2)
    const streetNames = new Set(streets.map((s) => s.name))
    for (const n of names) expect([...streetNames].some((s) => n.includes(s)), n).toBe(true)
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth)).toBe(true)
    await page.screenshot({ path: join(SHOTS, 'kiosk-1080x1920.png') })
    expect(errors).toEqual([])
    await context.close()
  })
})
