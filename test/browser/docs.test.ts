// The API reference page renders in Chromium from this server alone: every operation shown, no
// console error, no request refused by the CSP or failed (no CDN; the test machine has no internet).
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../helpers/browser'
import { startTestServer } from '../helpers/build-app'

let server: Awaited<ReturnType<typeof startTestServer>>
let browser: Browser

beforeAll(async () => {
  server = await startTestServer()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

it('/docs shows every operation of the document with no console error', async () => {
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`))
  const foreign: string[] = []
  page.on('request', (r) => {
    if (!r.url().startsWith(server.url) && !r.url().startsWith('data:')) foreign.push(r.url())
  })

  await page.goto(`${server.url}/docs`)
  const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, object> }
  const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0)
  await page.waitForFunction((n) => document.querySelectorAll('.opblock').length === n, operations, { timeout: 60_000 })
  expect(await page.locator('.opblock-tag').count()).toBeGreaterThanOrEqual(10)
  expect(await page.locator('.info .title').textContent()).toContain('Outpost')
  expect(problems).toEqual([])
  expect(foreign).toEqual([])
  await page.close()
})
