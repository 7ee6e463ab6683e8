import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEFAULT_TIME_ZONE } from '../../shared/domain'
import type { Figures } from '../../shared/metrics'
import { DAY_MS, HOUR_MS, localDate, startOfLocalDate } from '../../shared/time'
import { getJson, launchChromium, openWall, postJson } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { LIVENESS_MS, waitForProgress } from '../helpers/wait-for'
import { mostOverdue, overdueTotal, type GridFigures } from '../../client/lib/grid-figures'

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser

const geography = sampleGeography()
const day = localDate(Date.now() - DAY_MS, DEFAULT_TIME_ZONE)
const dayStart = startOfLocalDate(day, DEFAULT_TIME_ZONE)
const at = (hours: number) => new Date(dayStart + hours * HOUR_MS).toISOString()

beforeAll(async () => {
  server = await serveBuiltApp()
  browser = await launchChromium()
  // Yesterday between 01:00 and 03:30: requests of three categories, their handling, an alert, patrols.
  const units = ['640106001', '640106002', '640106003', '640106004', '640106005', '640106006']
  const categories = ['noise', 'property', 'environment']
  for (let i = 0; i < 12; i++) {
    const id = `past-${i}`
    const body = { id, source: i % 4 === 0 ? 'patrol' : 'hotline', category: categories[i % 3], priority: i % 5 === 0 ? 'urgent' : 'general', location: pointIn(geography, units[i % units.length]!), receivedAt: at(1 + i * 0.2) }
    expect((await postJson(server, '/api/v1/requests', body)).status).toBe(201)
    if (i % 2 === 0) {
      await postJson(server, `/api/v1/requests/${id}/transitions`, { stage: 'dispatched', at: at(1.05 + i * 0.2) })
      await postJson(server, `/api/v1/requests/${id}/transitions`, { stage: 'accepted', at: at(1.3 + i * 0.2) })
    }
  }
  await postJson(server, '/api/v1/alerts', { id: 'past-alert', cameraId: 'cam-1', kind: 'flying_wire_charging', confidence: 0.88, location: pointIn(geography, '640106002'), at: at(2) })
  const pings = Array.from({ length: 20 }, (_, i) => ({ workerId: `w-${i % 4}`, kind: 'ping', location: pointIn(geography, units[i % 4]!), at: at(1 + i * 0.1) }))
  expect((await postJson(server, '/api/v1/patrols', { pings })).status).toBe(202)
  // Pings in other cells of the same grids, so coverage is more than one cell per grid.
  const spread = Array.from({ length: 8 }, (_, i) => {
    const p = pointIn(geography, units[i % 4]!)
    return { workerId: `w-${i % 4}`, kind: 'ping', location: { lon: p.lon + 0.0013 * ((i % 3) - 1), lat: p.lat + 0.0011 * (i % 2) }, at: at(2.5 + i * 0.05) }
  })
  expect((await postJson(server, '/api/v1/patrols', { pings: spread })).status).toBe(202)

  // Received on earlier days and still open when the day began. Their deadlines all fall before
  // the end of the day, and nothing touches them after it: overdue at the end of the replay and
  // at the server's "now" (when the API counts it) are the same moment for them.
  const earlier = async (id: string, hours: number, priority: string, unit: string) =>
    expect((await postJson(server, '/api/v1/requests', { id, source: 'hotline', category: 'dispute', priority, location: pointIn(geography, unit), receivedAt: at(hours) })).status).toBe(201)
  await earlier('earlier-open', -38, 'general', '640106003') // overdue for response
  await earlier('earlier-urgent', -30, 'urgent', '640106004') // answered, overdue for resolution
  await postJson(server, '/api/v1/requests/earlier-urgent/transitions', { stage: 'dispatched', at: at(-29.8) })
  await postJson(server, '/api/v1/requests/earlier-urgent/transitions', { stage: 'accepted', at: at(-29.5) })
  await earlier('earlier-closed-in-day', -20, 'general', '640106005') // overdue until the day closes it
  for (const [stage, hours] of [['dispatched', 1.5], ['accepted', 2], ['resolved', 2.5]] as const) {
    expect((await postJson(server, '/api/v1/requests/earlier-closed-in-day/transitions', { stage, at: at(hours) })).status).toBe(201)
  }
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** The replay's clock on the page (ms). */
const clockOf = (page: Page) => page.evaluate(() => Number(document.querySelector('[data-testid="clock"]')?.getAttribute('data-time')))

/** Waits for the replay's clock to pass `after`: as long as it moves, however slowly the machine lets it. */
const clockPast = (page: Page, after: number) => waitForProgress(() => clockOf(page), (time) => time > after, { what: `the replay clock passing ${new Date(after).toISOString()}` })

describe('playback of a past day', () => {
  it('replays the day on one clock with the counts of the metrics API, then goes back to live', async () => {
    const { figures } = await getJson<{ figures: Figures }>(server, `/api/v1/metrics?unit=640106&from=${day}`)
    expect(figures.requests).toBe(12)

    // 14,400×: the day in six seconds (the replay waits for each hour's events to load).
    const { page, errors, context } = await openWall(browser, server, { path: `/wall?playback=${day}&speed=14400&figure=coverage` })
    await page.locator('[data-testid="wall"][data-mode="playback"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="playback-badge"]').waitFor()

    // Once the replay's clock has passed the day's events…
    await clockPast(page, dayStart + 4 * HOUR_MS)
    // …every panel shows the day as the API counts it.
    await page.locator('[data-testid="kpi-requests"][data-value="12"]').waitFor({ timeout: LIVENESS_MS })
    const counts = JSON.parse((await page.locator('[data-testid="category-chart"]').getAttribute('data-counts')) ?? '{}')
    expect(counts).toEqual(Object.fromEntries(Object.entries(figures.byCategory).filter(([, n]) => n > 0)))
    // The ticker's news: the day's requests, the alert, and the day's resolution of an earlier
    // request; not the routine dispatches and acceptances, nor the alarms of the urgent ones
    // and the alert (the request's or alert's own line says it; the alarm panel pins them).
    const rows = await page.locator('[data-testid="ticker-row"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-type')))
    expect(rows.filter((type) => !type?.startsWith('alarm.'))).toHaveLength(12 + 1 + 1)
    expect(rows.filter((type) => type === 'request.transitioned')).toHaveLength(1)
    await page.locator('[data-testid="alert-row"][data-alert="past-alert"]').waitFor()
    // The map's sources are refreshed at most twice a second (WallMap's refreshLive), so the
    // alert and the workers may reach it a moment after the panels.
    const mapEvents = () => page.evaluate(() => Number(document.documentElement.dataset.mapEventCount))
    await waitForProgress(mapEvents, (n) => n >= 12 + 1 + 4, { what: 'the map’s event count' })

    // At the end of the replayed day, overdue (earlier days' requests included) and coverage are
    // what the API counts for that day; the wall holds them a moment before going back to live.
    const replay = async () => ({ time: await clockOf(page), status: await page.locator('[data-testid="wall"]').getAttribute('data-playback') })
    await waitForProgress(replay, (r) => r.status === 'ended', { what: 'the replay reaching the end of the day' })
    const [api, apiGrids] = await Promise.all([
      getJson<{ figures: Figures }>(server, `/api/v1/metrics?unit=640106&from=${day}`),
      getJson<{ grids: GridFigures[] }>(server, `/api/v1/metrics/grids?unit=640106&from=${day}`),
    ])
    const shown = await page.evaluate((ids) => {
      const map = window.__outpostMap!
      const kpi = document.querySelector('[data-testid="kpi-overdue"]')!
      return {
        status: document.querySelector('[data-testid="wall"]')!.getAttribute('data-playback'),
        overdue: { response: Number(kpi.getAttribute('data-response')), resolution: Number(kpi.getAttribute('data-resolution')) },
        coverage: Object.fromEntries(ids.map((id) => [id, (map.getFeatureState({ source: 'grids', id }) as { value?: number }).value ?? null])),
        overdueRows: [...document.querySelectorAll('[data-testid="overdue-row"]')].map((r) => [r.getAttribute('data-grid'), Number(r.getAttribute('data-total'))]),
      }
    }, apiGrids.grids.map((g) => g.unit))
    expect(shown.status).toBe('ended')
    // Response: the day's six unanswered and earlier-open; resolution: the day's three urgent ones and earlier-urgent.
    expect(api.figures.overdue).toEqual({ response: 6 + 1, resolution: 3 + 1 })
    expect(shown.overdue).toEqual(api.figures.overdue)
    expect(api.figures.patrol.coverage.k).toBeGreaterThan(4)
    expect(shown.coverage).toEqual(Object.fromEntries(apiGrids.grids.map((g) => [g.unit, g.coverage.value])))
    expect(shown.overdueRows).toEqual(mostOverdue(apiGrids.grids, 4).map((g) => [g.unit, overdueTotal(g)]))

    // Then the wall goes back to the live stream.
    await page.locator('[data-testid="wall"][data-mode="live"]').waitFor({ timeout: LIVENESS_MS })
    expect(new URL(page.url()).searchParams.has('playback')).toBe(false)
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
    expect(errors).toEqual([])
    await context.close()
  })

  it('rotates through its scenes during a replay, every scene on the one replay clock', async () => {
    const [streetA, streetC] = ['640106001', '640106003']
    const [apiA, apiC] = await Promise.all([
      getJson<{ figures: Figures }>(server, `/api/v1/metrics?unit=${streetA}&from=${day}`),
      getJson<{ figures: Figures }>(server, `/api/v1/metrics?unit=${streetC}&from=${day}`),
    ])
    // Street A: an urgent request answered but not resolved; street C: a request from the day before, unanswered.
    expect(apiA.figures.overdue).toEqual({ response: 0, resolution: 1 })
    expect(apiC.figures.overdue).toEqual({ response: 1, resolution: 0 })

    // 3,600×: an hour of the day a second; each scene for 10 s of real time (the shortest allowed).
    const { page, errors, context } = await openWall(browser, server, { path: `/wall?playback=${day}&speed=3600&rotate=${streetA},${streetC}&every=10` })
    const clock = () => clockOf(page)
    await page.locator(`[data-testid="wall"][data-mode="playback"][data-scene="${streetA}"]`).waitFor({ timeout: LIVENESS_MS })
    await clockPast(page, dayStart + 6 * HOUR_MS)
    await page.locator(`[data-testid="kpi-overdue"][data-response="0"][data-resolution="1"]`).waitFor({ timeout: LIVENESS_MS })
    const before = await clock()

    // The next scene, still in playback, carries on at the instant the first had reached.
    // A rotation timer of ten seconds: the wait is for it to fire at all.
    await page.locator(`[data-testid="wall"][data-mode="playback"][data-scene="${streetC}"]`).waitFor({ timeout: LIVENESS_MS })
    expect(await clock()).toBeGreaterThanOrEqual(before)
    await page.locator(`[data-testid="kpi-overdue"][data-response="1"][data-resolution="0"]`).waitFor({ timeout: LIVENESS_MS })
    expect(await page.locator('[data-testid="wall"]').getAttribute('data-mode')).toBe('playback')
    expect(await clock()).toBeGreaterThanOrEqual(before)
    expect(errors).toEqual([])
    await context.close()
  })
})
