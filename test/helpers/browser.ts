import type { Browser, BrowserContext, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { LIVENESS_MS } from './wait-for'

/** Debian's Chromium, headless, WebGL in software (SwiftShader), no background networking. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  })
}

/** What the wall's browser tests need of a test server (see `startTestServer`). */
export interface WallTestServer {
  url: string
  /** An ingest key (`authorization`) and a center session (`cookie`). */
  headers: { authorization: string; cookie: string }
}

export interface WallPage {
  context: BrowserContext
  page: Page
  /** Uncaught page errors. */
  errors: string[]
  /** Requests to anything but the test server: a wall must reach nothing else. */
  offsite: string[]
}

/**
 * A fresh browser context logged in as the center (the session cookie of `server.headers`), with
 * a page at `path` (default `/wall`) once the map has loaded with its grids.
 */
export async function openWall(
  browser: Browser,
  server: WallTestServer,
  options: { path?: string; width?: number; height?: number; waitForMap?: boolean; beforeGoto?: (page: Page) => void } = {},
): Promise<WallPage> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1920, height: options.height ?? 1080 } })
  const [name, value] = server.headers.cookie.split('=') as [string, string]
  await context.addCookies([{ name, value, url: server.url }])
  const page = await context.newPage()
  const errors: string[] = []
  const offsite: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith('blob:')) offsite.push(url)
  })
  options.beforeGoto?.(page)
  await page.goto(`${server.url}${options.path ?? '/wall'}`)
  if (options.waitForMap !== false) {
    await page.waitForFunction(() => document.documentElement.dataset.mapGrids === 'true', undefined, { timeout: LIVENESS_MS })
  }
  return { context, page, errors, offsite }
}

/** POSTs JSON with the ingest key; returns the status and the parsed answer. */
export async function postJson<T = Record<string, unknown>>(server: WallTestServer, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: server.headers.authorization },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as T }
}

/** GETs JSON as the center user. */
export async function getJson<T>(server: WallTestServer, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie: server.headers.cookie, accept: 'application/json' } })
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** The page's JS heap in bytes after a full garbage collection (Chrome DevTools Protocol). */
export async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  try {
    // Twice: the first pass can leave what finalizers released for the next.
    for (let i = 0; i < 2; i++) await cdp.send('HeapProfiler.collectGarbage')
    const { usedSize } = await cdp.send('Runtime.getHeapUsage')
    return usedSize
  } finally {
    await cdp.detach()
  }
}
