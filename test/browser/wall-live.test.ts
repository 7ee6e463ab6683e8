import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { isThinSample } from '../../shared/display'
import type { Figures } from '../../shared/metrics'
import { getJson, launchChromium, openWall, postJson, type WallPage } from '../helpers/browser'
import { pointIn, sampleGeography, startTestServer } from '../helpers/build-app'
import { daytimeZone } from '../helpers/daytime'
import { clientDir } from '../helpers/serve-built-app'
import { LIVENESS_MS, waitForProgress } from '../helpers/wait-for'

let server: Awaited<ReturnType<typeof startTestServer>>
let browser: Browser
let wall: WallPage
let page: Page

const geography = sampleGeography()
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString()

beforeAll(async () => {
  // Figures pushed every second, so the strip follows the API without a long wait. The wall counts
  // today in the center's zone, and the test's morning began four hours ago: a zone where that
  // morning is today, at whatever hour the test runs (server and browser share the real clock).
  server = await startTestServer({ clientDir, timeZone: daytimeZone(), realtime: { tickMs: 100, metricsIntervalMs: 1_000 } })
  browser = await launchChromium()
  wall = await openWall(browser, server)
  page = wall.page
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function request(id: string, unit: string, over: Record<string, unknown> = {}) {
  const res = await postJson<{ seq: number }>(server, '/api/v1/requests', { id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(geography, unit), ...over })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.seq
}

async function transition(id: string, stage: string, at: string, extra: Record<string, unknown> = {}) {
  const res = await postJson<{ seq: number }>(server, `/api/v1/requests/${id}/transitions`, { stage, at, ...extra })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.seq
}

const kpi = (key: string) => page.locator(`[data-testid="kpi-${key}"]`)

/** The strip's raw figures as the page shows them (data attributes), keyed as `Figures` names them. */
const stripFigures = () =>
  page.evaluate(() => {
    const attr = (key: string, name = 'data-value') => document.querySelector(`[data-testid="kpi-${key}"]`)?.getAttribute(name) ?? ''
    const keys = ['requests', 'onTimeResponse', 'resolution', 'satisfaction', 'responseP50', 'responseP90', 'workersOnline']
    return { ...Object.fromEntries(keys.map((k) => [k, attr(k)])), overdue: `${attr('overdue', 'data-response')}/${attr('overdue', 'data-resolution')}` }
  })

/** The same figures from the API, as the strip writes them. */
const apiFigures = (f: Figures) => {
  const text = (v: number | null) => (v === null ? '' : String(v))
  return {
    requests: text(f.requests),
    onTimeResponse: text(f.onTimeResponse.value),
    resolution: text(f.resolution.value),
    satisfaction: text(f.satisfaction.value),
    responseP50: text(f.responseTime.p50),
    responseP90: text(f.responseTime.p90),
    workersOnline: text(f.patrol.workersOnline),
    overdue: `${f.overdue.response}/${f.overdue.resolution}`,
  }
}

describe('the live wall', () => {
  it('shows every panel, the same figures as GET /api/v1/metrics', async () => {
    for (const id of ['wall-header', 'kpi-strip', 'response-chart', 'category-chart', 'overdue-grids', 'map', 'map-legend', 'alert-panel', 'ticker']) {
      await page.locator(`[data-testid="${id}"]`).waitFor({ state: 'visible', timeout: LIVENESS_MS })
    }
    // A morning: requests answered in time and late, one resolved and reviewed, one long overdue.
    await request('kpi-1', '640106001', { priority: 'urgent', receivedAt: minutesAgo(240) })
    await transition('kpi-1', 'dispatched', minutesAgo(235))
    await transition('kpi-1', 'accepted', minutesAgo(220))
    await transition('kpi-1', 'resolved', minutesAgo(120))
    await transition('kpi-1', 'reviewed', minutesAgo(60), { review: { resolved: true, satisfaction: 'satisfied' } })
    await request('kpi-2', '640106002', { category: 'property', receivedAt: minutesAgo(200) })
    await transition('kpi-2', 'dispatched', minutesAgo(190))
    await transition('kpi-2', 'accepted', minutesAgo(30))
    await request('kpi-3', '640106003', { priority: 'urgent', category: 'dispute', receivedAt: minutesAgo(90) })
    await request('kpi-4', '640106004', { category: 'property' })

    const api = async () => (await getJson<{ figures: Figures }>(server, '/api/v1/metrics?unit=640106')).figures
    let figures = await api()
    expect(figures.requests).toBe(4)
    await page.locator('[data-testid="kpi-requests"][data-value="4"]').waitFor({ timeout: LIVENESS_MS })
    // The pushes (one a second) bring the strip to what a fresh GET says; on a busy machine they
    // come later, not never.
    await waitForProgress(
      async () => {
        figures = await api()
        return stripFigures()
      },
      (shown) => JSON.stringify(shown) === JSON.stringify(apiFigures(figures)),
      { what: 'the KPI strip following the pushed figures' },
    )
    const value = async (key: string) => Number(await kpi(key).getAttribute('data-value'))
    expect(await value('requests')).toBe(figures.requests)
    expect(await value('onTimeResponse')).toBeCloseTo(figures.onTimeResponse.value!, 10)
    expect(await value('resolution')).toBeCloseTo(figures.resolution.value!, 10)
    expect(await value('satisfaction')).toBeCloseTo(figures.satisfaction.value!, 10)
    expect(await value('responseP50')).toBe(figures.responseTime.p50)
    expect(await value('responseP90')).toBe(figures.responseTime.p90)
    expect(Number(await kpi('overdue').getAttribute('data-response'))).toBe(figures.overdue.response)
    expect(Number(await kpi('overdue').getAttribute('data-resolution'))).toBe(figures.overdue.resolution)
    expect(await value('workersOnline')).toBe(figures.patrol.workersOnline)
    // What people read: the rate as a percentage, the time in minutes; a rate over fewer than
    // MIN_RATE_SAMPLE cases greyed as k/n, never as a headline percentage.
    const onTime = figures.onTimeResponse
    if (isThinSample(onTime.n)) {
      expect(await kpi('onTimeResponse').getAttribute('data-thin')).toBe('true')
      expect(await kpi('onTimeResponse').textContent()).toContain(`${onTime.k}/${onTime.n}`)
      expect(await kpi('onTimeResponse').textContent()).not.toContain((onTime.value! * 100).toFixed(1))
    } else {
      expect(await kpi('onTimeResponse').textContent()).toContain((onTime.value! * 100).toFixed(1))
    }
    expect(await kpi('responseP50').textContent()).toContain(String(Math.round(figures.responseTime.p50! / 60)))
    expect(figures.overdue.response).toBeGreaterThan(0)
    // And the categories chart counts the same requests.
    const counts = JSON.parse((await page.locator('[data-testid="category-chart"]').getAttribute('data-counts')) ?? '{}')
    expect(counts).toEqual(Object.fromEntries(Object.entries(figures.byCategory).filter(([, n]) => n > 0)))
  })

  it('shows a camera alert in the alert panel, highlighted, and on the map with its icon', async () => {
    const location = pointIn(geography, '640106005')
    const res = await postJson<{ id: string; seq: number }>(server, '/api/v1/alerts', { id: 'cam-alert-1', cameraId: 'cam-9', kind: 'smoke_fire', confidence: 0.94, location })
    expect(res.status).toBe(201)
    const row = page.locator('[data-testid="alert-row"][data-alert="cam-alert-1"]')
    await row.waitFor({ timeout: LIVENESS_MS })
    expect(await row.getAttribute('data-new')).toBe('true')
    expect(await row.textContent()).toContain('烟火')
    await page.locator('[data-testid="kpi-alertsWaiting"][data-value="1"]').waitFor({ timeout: LIVENESS_MS })
    await page.waitForFunction(
      ({ lon, lat }) => {
        const map = window.__outpostMap
        if (!map) return false
        const p = map.project([lon, lat])
        return map.queryRenderedFeatures([p.x, p.y], { layers: ['events-alerts'] }).some((f) => f.properties?.id === 'cam-alert-1' && f.properties?.alertKind === 'smoke_fire')
      },
      location,
      { timeout: LIVENESS_MS },
    )
    // Its icon was drawn on a canvas, not fetched.
    expect(await page.evaluate(() => window.__outpostMap!.hasImage('alert:smoke_fire'))).toBe(true)
  })

  it('labels streets in Chinese without glyph files', async () => {
    const names = await page.evaluate(() => window.__outpostMap!.queryRenderedFeatures({ layers: ['labels-streets'] }).map((f) => String(f.properties?.name)))
    expect(names.length).toBeGreaterThanOrEqual(4)
    expect(names).toContain('满城北街街道')
    expect(await page.evaluate(() => window.__outpostMap!.getStyle().glyphs)).toBeUndefined()
  })

  it('shows a banner while the socket is down, then resyncs: each missed event once', async () => {
    const before = await page.locator('[data-testid="ticker-row"]').count()
    await wall.context.setOffline(true)
    await page.locator('[data-testid="reconnect-banner"]').waitFor({ timeout: LIVENESS_MS })
    expect(await page.locator('[data-testid="connection"]').getAttribute('data-state')).toBe('offline')

    // Meanwhile the center goes on.
    const missed: number[] = []
    missed.push(await request('gap-1', '640106006'))
    // A routine dispatch is not news on the ticker; its return (退单) is.
    const dispatched = await transition('gap-1', 'dispatched', new Date().toISOString())
    missed.push(await transition('gap-1', 'returned', new Date().toISOString()))
    missed.push(await request('gap-2', '640106100'))
    const alert = await postJson<{ seq: number }>(server, '/api/v1/alerts', { id: 'gap-alert', cameraId: 'cam-3', kind: 'crowd_gathering', confidence: 0.8, location: pointIn(geography, '640106002') })
    missed.push(alert.body.seq)
    await page.waitForTimeout(500)
    expect(await page.locator('[data-testid="ticker-row"]').count()).toBe(before)

    await wall.context.setOffline(false)
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="reconnect-banner"]').waitFor({ state: 'detached', timeout: LIVENESS_MS })
    const tickerSeqs = () => page.locator('[data-testid="ticker-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))
    // The resync brings the missed events in as it reads them.
    const seqs = await waitForProgress(tickerSeqs, (shown) => missed.every((seq) => shown.includes(seq)), { what: 'the resync of the missed events' })
    // Once each, and nothing else twice.
    for (const seq of missed) expect(seqs.filter((s) => s === seq)).toHaveLength(1)
    expect(new Set(seqs).size).toBe(seqs.length)
    // Nothing else: not the dispatch, nor the camera alert's alarm (the alert's own row says it),
    // which is pinned in the alarm panel instead.
    expect(seqs).not.toContain(dispatched)
    expect(seqs.length).toBe(before + missed.length)
    expect(await page.locator('[data-testid="alarm-row"][data-alarm="alert:gap-alert"]').count()).toBe(1)
    expect(wall.errors).toEqual([])
    expect(wall.offsite).toEqual([])
  })
})
