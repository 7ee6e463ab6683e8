import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { backfill } from '../../server/sim/backfill'
import { startSimulator, type Simulator } from '../../server/sim/simulator'
import { SqliteStore } from '../../server/store/sqlite-store'
import { launchChromium, openWall } from '../helpers/browser'
import { pointIn, sampleGeography, startTestServer } from '../helpers/build-app'
import { clientDir } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'
import { DEFAULT_TIME_ZONE } from '../../shared/domain'

/** Where the screenshots go, for the README (the test only writes them). */
const SHOTS = { 1080: '/tmp/outpost-wall-1080.png', 2160: '/tmp/outpost-wall-2160.png' }
const PANELS = ['wall-header', 'kpi-strip', 'response-chart', 'category-chart', 'overdue-grids', 'map', 'map-legend', 'alert-panel', 'ticker', 'alarm-panel', 'on-duty']

let server: Awaited<ReturnType<typeof startTestServer>>
let browser: Browser
let pending: Awaited<ReturnType<typeof backfill>>['pending'] = []
const geography = sampleGeography()

/**
 * The simulator at 20× for a few seconds: news for the ticker, the map and the figures. It runs
 * only while the page is settled: software WebGL (SwiftShader) redraws slowly, and a page loading
 * under a constant stream takes long to settle on this kind of machine.
 */
async function simulateFor(ms: number): Promise<void> {
  const simulator: Simulator = startSimulator({ inject: (r) => server.app.inject(r), geography, speed: 20, resume: pending, headers: { authorization: server.headers.authorization } })
  // What the backfill left unfinished is carried on once.
  pending = []
  await new Promise((r) => setTimeout(r, ms))
  await simulator.stop()
}

beforeAll(async () => {
  // A week of history (the response chart's dashed lines and a day of figures): a wall with data.
  const store = new SqliteStore({ filename: ':memory:' })
  const filled = await backfill({ store, geography, days: 8, now: Date.now() })
  pending = filled.pending
  server = await startTestServer({ clientDir, store, geography, realtime: { tickMs: 150, metricsIntervalMs: 2_000 } })
  await seatDepartments()
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** As the console's admin page does: two departments sitting today (all day) at two streets, so the wall's panel has them. */
async function seatDepartments(): Promise<void> {
  const weekday = ({ Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 } as const)[
    new Intl.DateTimeFormat('en-US', { timeZone: DEFAULT_TIME_ZONE, weekday: 'short' }).format(new Date()) as 'Mon'
  ]
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: server.headers.cookie, origin: server.url },
      body: JSON.stringify(body),
    })
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(201)
  }
  await post('/api/v1/directory/departments', { id: 'zj-jf', name: '金凤区住建局', kind: 'housing' })
  await post('/api/v1/directory/departments', { id: 'cg-jf', name: '金凤区城管局', kind: 'urban_management' })
  await post('/api/v1/directory/rota', { departmentId: 'zj-jf', streetId: '640106001', weekday, from: '00:00', to: '24:00' })
  await post('/api/v1/directory/rota', { departmentId: 'cg-jf', streetId: '640106002', weekday, from: '00:00', to: '24:00' })
}

/** Waits for what a person would: live data, coloured grids, figures, the charts drawn. */
async function settle(page: Page): Promise<void> {
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
  await page.waitForFunction(() => Number(document.documentElement.dataset.mapColouredGrids) > 0, undefined, { timeout: LIVENESS_MS })
  await simulateFor(4_000)
  // News for the ticker whatever the simulator made in those seconds (it shows news only, and a
  // busy machine lets the simulator make little).
  const res = await server.inject({ method: 'POST', url: '/api/v1/requests', payload: { source: 'grid_chat', category: 'environment', priority: 'general', location: pointIn(geography, '640106002') } })
  expect(res.statusCode).toBe(201)
  await page.locator('[data-testid="kpi-requests"]:not([data-value=""])').waitFor({ timeout: LIVENESS_MS })
  await page.locator('[data-testid="response-chart"] svg path').first().waitFor({ state: 'attached', timeout: LIVENESS_MS })
  await page.locator('[data-testid="ticker-row"]').first().waitFor({ timeout: LIVENESS_MS })
  // A moment for the map to draw the last update.
  await page.waitForTimeout(1_000)
}

async function checkLayout(page: Page, scale: number): Promise<void> {
  // One look at the page (each round trip costs while software WebGL is drawing).
  const layout = await page.evaluate((ids) => {
    const rect = (el: Element | null) => {
      const r = el?.getBoundingClientRect()
      return r ? { width: r.width, height: r.height, visible: (el as HTMLElement).offsetParent !== null || getComputedStyle(el!).position === 'fixed' } : null
    }
    const scroller = document.scrollingElement!
    const canvas = window.__outpostMap?.getCanvas()
    return {
      panels: Object.fromEntries(ids.map((id) => [id, rect(document.querySelector(`[data-testid="${id}"]`))])),
      stage: rect(document.querySelector('[data-testid="wall"]')),
      scroll: { sw: scroller.scrollWidth, cw: scroller.clientWidth, sh: scroller.scrollHeight, ch: scroller.clientHeight },
      mapLoaded: document.documentElement.dataset.mapLoaded,
      canvas: canvas ? { width: canvas.width, css: canvas.clientWidth } : null,
    }
  }, PANELS)
  for (const id of PANELS) {
    const box = layout.panels[id]
    expect(box, id).not.toBeNull()
    expect(box!.visible, id).toBe(true)
    expect(box!.width, id).toBeGreaterThan(50 * scale)
    expect(box!.height, id).toBeGreaterThan(50 * scale)
  }
  expect(layout.scroll.sw).toBeLessThanOrEqual(layout.scroll.cw)
  expect(layout.scroll.sh).toBeLessThanOrEqual(layout.scroll.ch)
  expect(layout.mapLoaded).toBe('true')
  // The stage is scaled, not reflowed: the same 1920×1080 layout, `scale` times larger.
  expect(layout.stage!.width).toBeCloseTo(1920 * scale, 0)
  expect(layout.stage!.height).toBeCloseTo(1080 * scale, 0)
  // And the map draws at the screen's resolution, not a blurred 1080p canvas.
  expect(layout.canvas!.width).toBe(layout.canvas!.css * scale)
}

describe('the wall on 1080p and 4K screens', () => {
  it('fills a 1920×1080 screen with every panel and no scrollbars', async () => {
    const { page, errors, offsite, context } = await openWall(browser, server)
    await settle(page)
    await checkLayout(page, 1)
    // Two camera alerts, so the alert panel and the map's icons show in the picture.
    for (const [i, kind] of (['smoke_fire', 'ebike_in_elevator'] as const).entries()) {
      const res = await server.inject({ method: 'POST', url: '/api/v1/alerts', payload: { cameraId: `cam-shot-${i}`, kind, confidence: 0.91 - i * 0.1, location: pointIn(geography, i === 0 ? '640106005' : '640106002') } })
      expect(res.statusCode).toBe(201)
    }
    await page.locator('[data-testid="alert-row"]').nth(1).waitFor({ timeout: LIVENESS_MS })
    // And an urgent request: pinned with the alerts' alarms until someone acknowledges it.
    const urgent = await server.inject({ method: 'POST', url: '/api/v1/requests', payload: { id: 'shot-urgent', source: 'hotline', category: 'safety_hazard', priority: 'urgent', location: pointIn(geography, '640106003') } })
    expect(urgent.statusCode).toBe(201)
    await page.locator('[data-testid="alarm-row"][data-alarm="urgent:shot-urgent"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="on-duty-row"]').nth(1).waitFor({ timeout: LIVENESS_MS })
    await page.waitForTimeout(1_000)
    // Street names are drawn (as canvas images: no glyphs offline).
    const streets = await page.evaluate(() => window.__outpostMap!.queryRenderedFeatures({ layers: ['labels-streets'] }).length)
    expect(streets).toBeGreaterThanOrEqual(4)
    await page.screenshot({ path: SHOTS[1080] })
    expect(errors).toEqual([])
    expect(offsite).toEqual([])
    await context.close()
  })

  it('scales the same layout to 3840×2160, in English on request', async () => {
    const { page, errors, context } = await openWall(browser, server, { width: 3840, height: 2160, path: '/wall?lang=en' })
    await settle(page)
    await checkLayout(page, 2)
    expect(await page.locator('[data-testid="kpi-requests"]').textContent()).toContain('Requests today')
    expect(await page.locator('[data-testid="area-name"]').textContent()).toBe('金凤区')
    await page.screenshot({ path: SHOTS[2160] })
    expect(errors).toEqual([])
    await context.close()
  })
})
