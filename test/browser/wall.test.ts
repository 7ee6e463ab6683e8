import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../helpers/browser'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { pointIn, sampleGeography } from '../helpers/build-app'

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
let page: Page
const offsite: string[] = []

beforeAll(async () => {
  server = await serveBuiltApp()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } })
  // Nothing may leave the machine: record any request that is not to our server.
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) offsite.push(url)
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('/wall in Chromium', () => {
  it('loads the map, then shows a request posted to the API', async () => {
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${server.url}/wall`)
    await page.waitForFunction(() => document.documentElement.dataset.mapLoaded === 'true', undefined, { timeout: 30_000 })
    await page.waitForFunction(() => document.documentElement.dataset.mapGrids === 'true', undefined, { timeout: 30_000 })
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 15_000 })

    const location = pointIn(sampleGeography(), '640106003')
    const res = await fetch(`${server.url}/api/v1/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'browser-1', source: 'hotline', category: 'municipal', priority: 'urgent', location }),
    })
    expect(res.status).toBe(201)
    const { seq } = (await res.json()) as { seq: number }

    // It is drawn on the map: the rendered feature under the point is our request.
    const found = await page.waitForFunction(
      ({ lon, lat }) => {
        const map = window.__outpostMap
        if (!map) return false
        const p = map.project([lon, lat])
        const hits = map.queryRenderedFeatures([p.x, p.y], { layers: ['events-requests'] })
        return hits.some((f) => f.properties?.id === 'browser-1')
      },
      location,
      { timeout: 10_000 },
    )
    expect(await found.jsonValue()).toBe(true)
    // And it is in the ticker, by its seq.
    await page.locator(`[data-testid="ticker-row"][data-seq="${seq}"]`).waitFor({ timeout: 5_000 })
    expect(errors).toEqual([])
    expect(offsite).toEqual([])
  })
})
