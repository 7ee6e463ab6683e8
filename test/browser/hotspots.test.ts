// Recurring hotspots on the wall (1920×1080) and the leader map (1440×900): the rings drawn where
// the API puts them, with their counts, the leader's list on hover; screenshots go to /tmp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { geometryBbox } from '../../shared/domain'
import type { HotspotsReply } from '../../shared/schemas/hotspots'
import { getJson, launchChromium, openWall } from '../helpers/browser'
import { sampleGeography } from '../helpers/build-app'
import { serveBuiltApp, sessionCookie } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'

const STREET = '640106001'
const LEADER = { username: 'hotspot-leader', password: 'a-long-hotspot-password', role: 'leader' as const, unit: STREET }
const geography = sampleGeography()
const grids = geography.units.filter((u) => u.level === 'grid' && geography.isWithin(u.id, STREET))

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser

/** A place in a grid at fractions of its box. */
function placeIn(gridId: string, fx: number, fy: number) {
  const [west, south, east, north] = geometryBbox(geography.get(gridId)!.geometry)
  return { lon: west + (east - west) * fx, lat: south + (north - south) * fy }
}

beforeAll(async () => {
  server = await serveBuiltApp({ users: [LEADER] })
  const day = 86_400_000
  let n = 0
  const post = async (category: string, place: { lon: number; lat: number }, daysAgo: number) => {
    const res = await server.inject({
      method: 'POST',
      url: '/api/v1/requests',
      payload: { id: `hs-${++n}`, source: 'hotline', category, priority: 'general', location: place, receivedAt: new Date(Date.now() - daysAgo * day).toISOString() },
    })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  // Twelve noise requests at one shop, five flying-wire complaints at one stairwell, three at a manhole.
  for (let i = 0; i < 12; i++) await post('noise', placeIn(grids[0]!.id, 0.5, 0.5), 1 + i)
  for (let i = 0; i < 5; i++) await post('safety_hazard', placeIn(grids[3]!.id, 0.4, 0.6), 2 + i)
  for (let i = 0; i < 3; i++) await post('municipal', placeIn(grids[6]!.id, 0.6, 0.4), 3 + i)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('recurring hotspots on the maps', () => {
  it('rings each hotspot on the wall with its count, readable at 1920×1080', async () => {
    const reply = await getJson<HotspotsReply>(server, '/api/v1/hotspots')
    expect(reply.hotspots.map((h) => h.count)).toEqual([12, 5, 3])
    const { page, errors, offsite, context } = await openWall(browser, server)
    await page.waitForFunction(() => document.documentElement.dataset.mapHotspots === '3', undefined, { timeout: LIVENESS_MS })
    await page.waitForFunction(() => window.__outpostMap?.loaded() && !window.__outpostMap.isMoving(), undefined, { timeout: LIVENESS_MS })
    await page.waitForTimeout(500)
    const drawn = await page.evaluate(() => {
      const m = window.__outpostMap!
      const rings = m.queryRenderedFeatures({ layers: ['hotspots-rings'] })
      const counts = m.queryRenderedFeatures({ layers: ['hotspots-counts'] })
      return { rings: rings.map((f) => Number(f.properties['count'])).sort((a, b) => b - a), counts: counts.length, zoom: m.getZoom() }
    })
    expect(drawn.rings).toEqual([12, 5, 3])
    expect(drawn.counts).toBe(3)
    // The legend names the ring.
    expect(await page.locator('[data-testid="legend-symbol"][data-layer="hotspots-rings"]').textContent()).toContain('重复热点')
    await page.screenshot({ path: '/tmp/hotspots-wall-1920x1080.png' })
    expect(errors).toEqual([])
    expect(offsite).toEqual([])
    await context.close()
  })

  it('shows a hotspot’s category, count and requests on the leader map when the pointer is on its ring', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    await context.addCookies([sessionCookie(server.url, await server.login(LEADER))])
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${server.url}/leader?unit=${STREET}`)
    await page.locator(`[data-testid="leader-map"][data-ready-unit="${STREET}"][data-hotspots="3"]`).waitFor({ timeout: LIVENESS_MS })
    await page.waitForFunction(() => window.__outpostMap?.loaded() && !window.__outpostMap.isMoving(), undefined, { timeout: LIVENESS_MS })
    const box = (await page.locator('[data-testid="leader-map"]').boundingBox())!
    const reply = await getJson<HotspotsReply>(server, `/api/v1/hotspots?unit=${STREET}`)
    const noise = reply.hotspots[0]!
    const point = await page.evaluate(({ lon, lat }) => {
      const p = window.__outpostMap!.project([lon, lat])
      return { x: p.x, y: p.y }
    }, noise.center)
    // Just inside the ring's edge, off the count.
    await page.mouse.move(box.x + point.x + 12, box.y + point.y)
    const list = page.locator(`[data-testid="hotspot-list"][data-hotspot="${noise.id}"]`)
    await list.waitFor({ timeout: LIVENESS_MS })
    expect(await list.textContent()).toContain('噪音扰民')
    expect(await list.textContent()).toContain('12')
    expect(await list.locator('[data-testid="hotspot-request"]').count()).toBe(12)
    await page.screenshot({ path: '/tmp/hotspots-leader-1440x900.png' })
    // A click pins it; a request in it opens its page.
    await page.mouse.click(box.x + point.x + 12, box.y + point.y)
    await page.mouse.move(5, 5)
    await list.waitFor()
    await list.locator('[data-testid="hotspot-request"]').first().click()
    await page.waitForURL((url) => url.pathname === `/leader/requests/${noise.requestIds[0]}`, { timeout: LIVENESS_MS })
    expect(errors).toEqual([])
    await context.close()
  })
})
