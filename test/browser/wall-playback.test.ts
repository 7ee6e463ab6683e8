import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { DEFAULT_TIME_ZONE } from '../../shared/domain'
import type { Figures } from '../../shared/metrics'
import { DAY_MS, HOUR_MS, localDate, startOfLocalDate } from '../../shared/time'
import { getJson, launchChromium, openWall, postJson } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'

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
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('playback of a past day', () => {
  it('replays the day on one clock with the counts of the metrics API, then goes back to live', async () => {
    const { figures } = await getJson<{ figures: Figures }>(server, `/api/v1/metrics?unit=640106&from=${day}`)
    expect(figures.requests).toBe(12)

    // 14,400×: the day in six seconds (the replay waits for each hour's events to load).
    const { page, errors, context } = await openWall(browser, server, { path: `/wall?playback=${day}&speed=14400` })
    await page.locator('[data-testid="wall"][data-mode="playback"]').waitFor({ timeout: 10_000 })
    await page.locator('[data-testid="playback-badge"]').waitFor()

    // Once the replay's clock has passed the day's events…
    await page.waitForFunction((after) => Number(document.querySelector('[data-testid="clock"]')?.getAttribute('data-time')) > after, dayStart + 4 * HOUR_MS, { timeout: 15_000 })
    // …every panel shows the day as the API counts it.
    await page.locator('[data-testid="kpi-requests"][data-value="12"]').waitFor({ timeout: 5_000 })
    const counts = JSON.parse((await page.locator('[data-testid="category-chart"]').getAttribute('data-counts')) ?? '{}')
    expect(counts).toEqual(Object.fromEntries(Object.entries(figures.byCategory).filter(([, n]) => n > 0)))
    const notable = await page.locator('[data-testid="ticker-row"]').count()
    expect(notable).toBe(12 + 6 * 2 + 1)
    await page.locator('[data-testid="alert-row"][data-alert="past-alert"]').waitFor()
    expect(await page.evaluate(() => Number(document.documentElement.dataset.mapEventCount))).toBeGreaterThanOrEqual(12 + 1 + 4)

    // The end of the day hands the wall back to the live stream.
    await page.locator('[data-testid="wall"][data-mode="live"]').waitFor({ timeout: 25_000 })
    expect(new URL(page.url()).searchParams.has('playback')).toBe(false)
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 10_000 })
    expect(errors).toEqual([])
    await context.close()
  })
})
