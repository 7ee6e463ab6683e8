import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, openWall, postJson } from '../helpers/browser'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { LIVENESS_MS } from '../helpers/wait-for'

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser

beforeAll(async () => {
  server = await serveBuiltApp()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('/wall in Chromium', () => {
  it('loads the map, then shows a request posted to the API', async () => {
    const { page, errors, offsite, context } = await openWall(browser, server)
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })

    // Every ring the map starts, counted as it is added: a ring lives a second or two, and the map
    // clears its rings when it moves (a late re-fit under load), so a poll could miss one.
    await page.evaluate(() => {
      const w = window as unknown as { __pulsesAdded: number }
      w.__pulsesAdded = 0
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) if (n instanceof HTMLElement && n.dataset.testid === 'map-pulse') w.__pulsesAdded++
      }).observe(document.querySelector('[data-testid="map"]')!, { childList: true, subtree: true })
    })
    const location = pointIn(sampleGeography(), '640106003')
    const res = await postJson<{ seq: number }>(server, '/api/v1/requests', { id: 'browser-1', source: 'hotline', category: 'municipal', priority: 'urgent', location })
    expect(res.status).toBe(201)
    const { seq } = res.body
    // It rings once where it happened…
    await expect.poll(() => page.evaluate(() => (window as unknown as { __pulsesAdded: number }).__pulsesAdded), { timeout: LIVENESS_MS }).toBe(1)

    // …and stays drawn on the map: the rendered feature under the point is our request.
    const found = await page.waitForFunction(
      ({ lon, lat }) => {
        const map = window.__outpostMap
        if (!map) return false
        const p = map.project([lon, lat])
        const hits = map.queryRenderedFeatures([p.x, p.y], { layers: ['events-requests'] })
        return hits.some((f) => f.properties?.id === 'browser-1')
      },
      location,
      { timeout: LIVENESS_MS },
    )
    expect(await found.jsonValue()).toBe(true)
    // And it is in the ticker, by its seq.
    await page.locator(`[data-testid="ticker-row"][data-seq="${seq}"]`).waitFor({ timeout: LIVENESS_MS })
    // The ring is gone once it has played: pulses do not pile up.
    await page.locator('[data-testid="map-pulse"]').first().waitFor({ state: 'detached', timeout: LIVENESS_MS })
    expect(errors).toEqual([])
    expect(offsite).toEqual([])
    await context.close()
  })

  it('rotates through scenes on its own, no mouse needed', async () => {
    const { page, errors, context } = await openWall(browser, server, { path: '/wall?rotate=640106003,640106004&every=10' })
    await page.locator('[data-testid="area-name"]', { hasText: '长城中路街道' }).waitFor({ timeout: LIVENESS_MS })
    expect(await page.locator('[data-testid="scene-indicator"]').textContent()).toContain('1/2')
    // Ten seconds on, the next scene: its name, its stream, its map frame. (The wait is for the
    // rotation timer to fire at all, not for when.)
    await page.locator('[data-testid="wall"][data-scene="640106004"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="area-name"]', { hasText: '北京中路街道' }).waitFor()
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
    const inFrame = await page.evaluate(() => {
      const map = window.__outpostMap!
      const b = map.getBounds()
      // 北京中路街道 lies east of the first scene: its centre is now in the frame, the other's is not.
      return { beijing: b.contains([106.2545, 38.451]), changcheng: b.contains([106.1995, 38.505]) }
    })
    expect(inFrame).toEqual({ beijing: true, changcheng: false })
    expect(errors).toEqual([])
    await context.close()
  })

  it('sends a wall without a session to the login page, which brings it back', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${server.url}/wall?scene=640106002`)
    await page.waitForURL((url) => url.pathname === '/login', { timeout: LIVENESS_MS })
    expect(new URL(page.url()).searchParams.get('next')).toBe('/wall?scene=640106002')
    await context.close()
  })

  it('keeps the kiosk free of MapLibre and ECharts', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const scripts: string[] = []
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname)
    })
    await page.goto(`${server.url}/kiosk`)
    await page.waitForLoadState('networkidle')
    expect(scripts.length).toBeGreaterThan(0)
    expect(scripts.filter((s) => /WallView|use-map|maplibre|echarts/i.test(s))).toEqual([])
    expect(await page.evaluate(() => window.__outpostMap === undefined && !document.querySelector('.maplibregl-map'))).toBe(true)
    await context.close()
  })
})
