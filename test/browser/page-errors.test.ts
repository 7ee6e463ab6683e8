import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { buildOfflineStyle } from '../../client/map/style'
import { launchChromium } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp, sessionCookie } from '../helpers/serve-built-app'

const geography = sampleGeography()
const STREET = '640106003'
const REQUEST = 'page-errors-1'
/** Loads of each view: the map's start raced its data on most 4K loads, not on every one. */
const LOADS = 3
/** How long a view may take to show itself: liveness on a busy machine, not speed. */
const READY_MS = 60_000
/** A base map style on this server: a test can hold it back to order the map's start at will. */
const STYLE_PATH = '/held/style.json'

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let styledServer: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser

beforeAll(async () => {
  server = await serveBuiltApp()
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/requests',
    payload: { id: REQUEST, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(geography, geography.children(STREET)[0]!.id), description: '夜间施工噪音' },
  })
  if (res.statusCode !== 201) throw new Error(`seeding the request: ${res.statusCode} ${res.body}`)
  styledServer = await serveBuiltApp({ basemap: { style: STYLE_PATH, crs: 'wgs84' } })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await styledServer?.close()
})

/** The map has drawn everything it was given (no tiles or sources still loading). */
async function mapIdle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.__outpostMap
        if (!map || map.loaded()) resolve()
        else map.once('idle', () => resolve())
      }),
  )
}

interface View {
  name: string
  path: string
  width: number
  height: number
  /** A logged-in center user (the kiosk and the login page are public). */
  session: boolean
  /** Resolves once the view shows what it is for. */
  ready(page: Page): Promise<void>
}

const wallReady = async (page: Page) => {
  await page.waitForFunction(() => document.documentElement.dataset.mapGrids === 'true', undefined, { timeout: READY_MS })
  await mapIdle(page)
}

const VIEWS: View[] = [
  ...[
    [1920, 1080],
    [3840, 2160],
  ].flatMap(([width, height]) => [
    { name: `the wall at the district, ${width}×${height}`, path: '/wall', width: width!, height: height!, session: true, ready: wallReady },
    { name: `the wall at a street, ${width}×${height}`, path: `/wall?scene=${STREET}`, width: width!, height: height!, session: true, ready: wallReady },
  ]),
  {
    name: 'the leader’s dashboard, 1440×900',
    path: `/leader?unit=${STREET}`,
    width: 1440,
    height: 900,
    session: true,
    ready: async (page) => {
      await page.locator(`[data-testid="leader-map"][data-ready-unit="${STREET}"]`).waitFor({ timeout: READY_MS })
      await mapIdle(page)
    },
  },
  {
    name: 'a leader’s request page, 1440×900',
    path: `/leader/requests/${REQUEST}`,
    width: 1440,
    height: 900,
    session: true,
    ready: (page) => page.locator('[data-testid="request-timeline"] li').first().waitFor({ timeout: READY_MS }),
  },
  {
    name: 'the kiosk, 1080×1920',
    path: `/kiosk?unit=${STREET}`,
    width: 1080,
    height: 1920,
    session: false,
    ready: (page) => page.locator('[data-testid="kiosk-card"]').first().waitFor({ timeout: READY_MS }),
  },
  {
    name: 'the login page, 1440×900',
    path: '/login',
    width: 1440,
    height: 900,
    session: false,
    ready: (page) => page.locator('[data-testid="login-form"]').waitFor({ timeout: READY_MS }),
  },
]

interface LoadOptions {
  on?: typeof server
  /** Runs before the page is opened (routes to hold back). */
  beforeGoto?: (page: Page) => Promise<unknown>
  /** Runs once the page is opened, before waiting for the view. */
  beforeReady?: (page: Page) => Promise<void>
}

/** Opens the view in a fresh context; returns every uncaught error and console error it logged. */
async function load(view: View, { on = server, beforeGoto, beforeReady }: LoadOptions = {}): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width: view.width, height: view.height } })
  try {
    if (view.session) await context.addCookies([sessionCookie(on.url, on.headers.cookie)])
    const page = await context.newPage()
    const problems: string[] = []
    let failed = () => {}
    // A view that threw may never become ready: the first error ends the wait.
    const problem = new Promise<void>((resolve) => (failed = resolve))
    page.on('pageerror', (error) => {
      problems.push(`pageerror: ${error.message}`)
      failed()
    })
    page.on('console', (message) => {
      if (message.type() !== 'error') return
      problems.push(`console.error: ${message.text()}`)
      failed()
    })
    await beforeGoto?.(page)
    await page.goto(`${on.url}${view.path}`)
    const ready = async () => {
      await beforeReady?.(page)
      await view.ready(page)
    }
    await Promise.race([ready(), problem])
    return problems
  } finally {
    await context.close()
  }
}

describe('every view in Chromium', () => {
  for (const view of VIEWS) {
    it(`${view.name}: no uncaught error or console error in ${LOADS} loads`, async () => {
      const problems: string[] = []
      for (let i = 0; i < LOADS; i++) problems.push(...(await load(view)).map((p) => `load ${i + 1}: ${p}`))
      expect(problems).toEqual([])
    }, LOADS * (READY_MS + 10_000))
  }
})

describe('the wall’s map in Chromium, its start ordered by the test', () => {
  it('waits for its style when the geography and a new screen size come first', async () => {
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const view: View = { name: 'held style', path: '/wall', width: 1920, height: 1080, session: true, ready: wallReady }
    const problems = await load(view, {
      on: styledServer,
      beforeGoto: (page) =>
        page.route(`**${STYLE_PATH}`, async (route) => {
          await held
          await route.fulfill({ json: buildOfflineStyle() })
        }),
      beforeReady: async (page) => {
        // The geography is in (the header names the district) while the style is still held.
        await page.locator('[data-testid="area-name"]', { hasText: geography.district.name }).waitFor({ timeout: READY_MS })
        // The window grows to 4K before the style arrives, as a wall's browser going full screen.
        await page.setViewportSize({ width: 3840, height: 2160 })
        await page.locator('.wall-stage[data-scale="2"]').waitFor({ timeout: READY_MS })
        release()
      },
    })
    expect(problems).toEqual([])
  }, READY_MS + 10_000)

  it('adds its layers when the geography comes after the style has loaded', async () => {
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const view: View = { name: 'held geography', path: '/wall', width: 3840, height: 2160, session: true, ready: wallReady }
    let heldBack = false
    const problems = await load(view, {
      beforeGoto: (page) =>
        page.route('**/api/v1/geography', async (route) => {
          heldBack = true
          await held
          await route.continue()
        }),
      beforeReady: async (page) => {
        await page.waitForFunction(() => document.documentElement.dataset.mapLoaded === 'true', undefined, { timeout: READY_MS })
        release()
      },
    })
    expect(problems).toEqual([])
    expect(heldBack).toBe(true)
  }, READY_MS + 10_000)
})
