// The duty console in Chromium, against the real built app: two officers on one alert, a
// cross-origin form post refused while the console's own button works, an urgent request pinned
// on the wall until the console acknowledges it, and a leader's console that holds only their street.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Alarm } from '../../shared/schemas/alarms'
import type { AlertList } from '../../shared/schemas/views'
import { launchChromium } from '../helpers/browser'
import { CENTER, pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp, sessionCookie } from '../helpers/serve-built-app'
import { solidPng } from '../helpers/pmtiles'
import { LIVENESS_MS } from '../helpers/wait-for'

const STREET = '640106001'
const OTHER_STREET = '640106002'
const SECOND = { username: 'center-2', password: 'second-officer-pass', role: 'center' as const, unit: '640106' }
const LEADER = { username: 'street-leader', password: 'a-long-street-password', role: 'leader' as const, unit: STREET }
const geography = sampleGeography()

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
/** A camera (NVR) on the LAN, listed in the snapshot origins: its pictures reach the page only through the server. */
const cameraHits: string[] = []
const camera = createServer((req, res) => {
  cameraHits.push(req.url ?? '')
  const png = solidPng([220, 60, 30], 32)
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png)
})
let cameraOrigin = ''
const contexts: BrowserContext[] = []
const errors: string[] = []

async function post(url: string, payload: object): Promise<void> {
  const res = await server.inject({ method: 'POST', url, payload })
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
}

async function get<T>(url: string): Promise<T> {
  const res = await server.inject({ method: 'GET', url })
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body}`)
  return res.json() as T
}

/** A logged-in page at `path` (a fresh context, 1440×900: a duty officer's laptop). */
async function open(cookie: string, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  contexts.push(context)
  await context.addCookies([sessionCookie(server.url, cookie)])
  const page = await context.newPage()
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${server.url}${path}`)
  return page
}

const consoleLive = (page: Page) => page.locator('[data-testid="console-desk"][data-live="live"][data-loaded="true"]').waitFor({ timeout: LIVENESS_MS })

beforeAll(async () => {
  await new Promise<void>((resolve) => camera.listen(0, '127.0.0.1', resolve))
  cameraOrigin = `http://127.0.0.1:${(camera.address() as AddressInfo).port}`
  server = await serveBuiltApp({ users: [SECOND, LEADER], snapshots: { origins: [cameraOrigin] } })
  browser = await launchChromium()
})

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await browser?.close()
  await server?.close()
  camera.closeAllConnections()
  await new Promise((resolve) => camera.close(resolve))
})

describe('/console: two officers, one alert', () => {
  it('stores exactly one review; the other officer sees the 409 explained; both queues converge', async () => {
    const [one, two] = await Promise.all([open(server.headers.cookie, '/console'), open(await server.login(SECOND), '/console')])
    await Promise.all([consoleLive(one), consoleLive(two)])
    await post('/api/v1/alerts', { id: 'duel-1', cameraId: 'cam-duel', kind: 'smoke_fire', confidence: 0.91, location: pointIn(geography, STREET), snapshotUrl: `${cameraOrigin}/snap/duel-1.png` })
    const row = (page: Page) => page.locator('[data-testid="queue-alerts"] [data-alert="duel-1"]')
    await Promise.all([row(one).waitFor({ timeout: LIVENESS_MS }), row(two).waitFor({ timeout: LIVENESS_MS })])
    // The camera's snapshot is shown and loads, through the server with the session: the page holds
    // no URL of the camera (the CSP allows images of this origin only), and two screens cost one fetch.
    const snapshot = (page: Page) => row(page).locator('[data-testid="alert-snapshot"]')
    const loaded = (page: Page) =>
      snapshot(page).evaluate(async (img: HTMLImageElement) => {
        if (!img.complete) await new Promise((resolve) => (img.addEventListener('load', resolve, { once: true }), img.addEventListener('error', resolve, { once: true })))
        return img.naturalWidth
      })
    expect(await loaded(one)).toBe(32)
    expect(await loaded(two)).toBe(32)
    expect(await snapshot(one).getAttribute('src')).toBe('/api/v1/alerts/duel-1/snapshot')
    expect(await one.content()).not.toContain(cameraOrigin)
    expect(cameraHits).toEqual(['/snap/duel-1.png'])
    const csp = String((await server.app.inject({ method: 'GET', url: '/console' })).headers['content-security-policy'])
    expect(csp).toContain("img-src 'self' data: blob:;")
    expect(csp).not.toContain(cameraOrigin)

    // Both press at nearly the same time: one confirms, the other dismisses.
    await Promise.all([row(one).locator('[data-action="confirm"]').click(), row(two).locator('[data-action="dismiss"]').click()])

    const reviews = (await server.store.readLog(0, 10_000)).filter((e) => e.type === 'alert.reviewed' && e.alertId === 'duel-1')
    expect(reviews).toHaveLength(1)
    const stored = (await get<AlertList>(`/api/v1/alerts?open=false`)).items.find((a) => a.alertId === 'duel-1')!
    expect(stored.verdict).toBe(reviews[0]!.type === 'alert.reviewed' ? reviews[0]!.verdict : null)

    // The one who lost is told what happened, with the verdict that stands.
    const loser = stored.verdict === 'confirmed' ? two : one
    const winner = loser === one ? two : one
    const conflict = loser.locator('[data-testid="notice"][data-kind="conflict"][data-subject="duel-1"]')
    await conflict.waitFor({ timeout: LIVENESS_MS })
    expect(await conflict.textContent()).toContain(stored.verdict === 'confirmed' ? '确认' : '误报')
    expect(await winner.locator('[data-testid="notice"][data-kind="info"][data-subject="duel-1"]').count()).toBe(1)
    // Both queues lose the alert.
    await Promise.all([row(one).waitFor({ state: 'detached', timeout: LIVENESS_MS }), row(two).waitFor({ state: 'detached', timeout: LIVENESS_MS })])
  })

  it('shows another officer’s dispatch within a second, and a stale action is explained, not lost', async () => {
    // The grid's worker (a dispatch target must be a worker who has reported).
    await post('/api/v1/patrols', { pings: [{ workerId: 'w-stale', kind: 'ping', location: pointIn(geography, STREET) }] })
    const [one, two] = await Promise.all([open(server.headers.cookie, '/console'), open(await server.login(SECOND), '/console')])
    await Promise.all([consoleLive(one), consoleLive(two)])
    await post('/api/v1/requests', { id: 'stale-1', source: 'hotline', category: 'noise', priority: 'general', location: pointIn(geography, STREET) })
    const row = (page: Page) => page.locator('[data-testid="queue-dispatch"] [data-request="stale-1"]')
    await Promise.all([row(one).waitFor({ timeout: LIVENESS_MS }), row(two).waitFor({ timeout: LIVENESS_MS })])
    // Officer two opens the dispatch form on it, while the hotline system dispatches it through the API.
    await row(two).locator('[data-action="dispatch"]').click()
    await two.locator('[data-testid="dispatch-form"] input[type="radio"]:checked').waitFor({ timeout: LIVENESS_MS })
    await post('/api/v1/requests/stale-1/transitions', { stage: 'dispatched', assignee: { kind: 'worker', id: 'w-stale' } })
    // Officer one's console drops it from the queue without a reload.
    await row(one).waitFor({ state: 'detached', timeout: LIVENESS_MS })
    // Officer two still has the form open and sends it: 409, explained with who and where it is now.
    await two.locator('[data-testid="dispatch-form"] input[type="radio"]').first().waitFor()
    await two.locator('[data-testid="dispatch-submit"]').click()
    const notice = two.locator('[data-testid="notice"][data-kind="conflict"][data-subject="stale-1"]')
    await notice.waitFor({ timeout: LIVENESS_MS })
    expect(await notice.textContent()).toContain('当前阶段 派单')
    expect(await notice.textContent()).toContain('test')
    await row(two).waitFor({ state: 'detached', timeout: LIVENESS_MS })
    const detail = await get<{ stages: { stage: string }[] }>('/api/v1/requests/stale-1')
    expect(detail.stages.map((s) => s.stage)).toEqual(['received', 'dispatched'])
  })
})

describe('/console: alarms and CSRF', () => {
  let attacker: Server
  let attackerUrl = ''
  let alarmId = ''
  let officer: Page
  let wall: Page

  beforeAll(async () => {
    attacker = createServer((req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? ''
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end(`<!doctype html><form method="POST" action="${target}" enctype="text/plain"><input type="hidden" name="x" value="y"></form><script>document.forms[0].submit()</script>`)
    })
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve))
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => attacker.close(() => resolve()))
  })

  it('takes an urgent walk-in request on the console, and its alarm is pinned on the wall', async () => {
    wall = await open(server.headers.cookie, '/wall')
    await wall.waitForFunction(() => document.documentElement.dataset.mapGrids === 'true', undefined, { timeout: LIVENESS_MS })
    officer = await open(server.headers.cookie, '/console')
    await consoleLive(officer)

    await officer.locator('[data-testid="take-request"]').click()
    const form = officer.locator('[data-testid="take-form"]')
    await form.waitFor()
    await form.locator('[data-testid="take-priority"]').selectOption('urgent')
    await form.locator('[data-testid="take-category"]').selectOption('safety_hazard')
    await form.locator('[data-testid="take-description"]').fill('楼道堆放杂物起火隐患')
    await form.locator('[data-testid="take-community"]').selectOption(geography.children(STREET)[0]!.id)
    await form.locator('[data-testid="take-submit"]').click()
    const created = officer.locator('[data-testid="notice"][data-kind="info"]').first()
    await created.waitFor({ timeout: LIVENESS_MS })
    const requestId = (await created.getAttribute('data-subject'))!
    alarmId = `urgent:${requestId}`
    // The alarm comes to the console's list, and to the wall's pinned list.
    await officer.locator(`[data-testid="queue-alarms"] [data-alarm="${alarmId}"]`).waitFor({ timeout: LIVENESS_MS })
    await wall.locator(`[data-testid="alarm-row"][data-alarm="${alarmId}"]`).waitFor({ timeout: LIVENESS_MS })
  })

  it('refuses a cross-origin form post that carries the session cookie, and stores nothing', async () => {
    const page = wall
    const target = `${server.url}/api/v1/alarms/${encodeURIComponent(alarmId)}/ack`
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === target, { timeout: LIVENESS_MS }),
      page.goto(`${attackerUrl}/?target=${encodeURIComponent(target)}`),
    ])
    // 403 naming the origin (a request without the cookie would be a 401): the cookie went, the check refused it.
    expect(response.status()).toBe(403)
    expect(((await response.json()) as { field: string }).field).toBe('header/origin')
    const alarm = (await get<{ items: Alarm[] }>('/api/v1/alarms?open=false')).items.find((a) => a.id === alarmId)!
    expect(alarm.ack).toBeUndefined()
    await page.goto(`${server.url}/wall`)
    await page.locator(`[data-testid="alarm-row"][data-alarm="${alarmId}"]`).waitFor({ timeout: LIVENESS_MS })
  })

  it('acknowledges it from the console’s button: it leaves the wall, and the trail names the officer', async () => {
    await officer.locator(`[data-testid="queue-alarms"] [data-alarm="${alarmId}"] [data-action="ack"]`).click()
    await officer.locator(`[data-testid="queue-alarms"] [data-alarm="${alarmId}"]`).waitFor({ state: 'detached', timeout: LIVENESS_MS })
    await wall.locator(`[data-testid="alarm-row"][data-alarm="${alarmId}"]`).waitFor({ state: 'detached', timeout: LIVENESS_MS })
    const alarm = (await get<{ items: Alarm[] }>('/api/v1/alarms?open=false')).items.find((a) => a.id === alarmId)!
    expect(alarm.ack?.actor).toEqual({ kind: 'user', name: CENTER.username })
    const audit = await get<{ entries: { actor: { kind: string; name: string }; action: string; target: string }[] }>('/api/v1/audit')
    expect(audit.entries.filter((e) => e.action === 'alarm.ack' && e.target === `alarm:${alarmId}`).map((e) => e.actor)).toEqual([{ kind: 'user', name: CENTER.username }])
  })
})

describe('/console for a leader', () => {
  it('holds only the leader’s street, and the admin page says it is the center’s', async () => {
    await post('/api/v1/requests', { id: 'mine-1', source: 'app', category: 'environment', priority: 'general', location: pointIn(geography, STREET) })
    await post('/api/v1/requests', { id: 'theirs-1', source: 'app', category: 'environment', priority: 'general', location: pointIn(geography, OTHER_STREET) })
    await post('/api/v1/alerts', { id: 'mine-alert', cameraId: 'cam-a', kind: 'ebike_in_elevator', confidence: 0.8, location: pointIn(geography, STREET) })
    await post('/api/v1/alerts', { id: 'theirs-alert', cameraId: 'cam-b', kind: 'ebike_in_elevator', confidence: 0.8, location: pointIn(geography, OTHER_STREET) })
    const page = await open(await server.login(LEADER), '/console')
    await consoleLive(page)
    await page.locator('[data-testid="queue-dispatch"] [data-request="mine-1"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="queue-alerts"] [data-alert="mine-alert"]').waitFor({ timeout: LIVENESS_MS })
    const ids = (sel: string, attr: string) => page.locator(sel).evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr)
    const requests = await ids('[data-testid="request-row"]', 'data-request')
    const alerts = await ids('[data-testid="alert-row"]', 'data-alert')
    expect(requests).not.toContain('theirs-1')
    expect(alerts).not.toContain('theirs-alert')
    // Every item shown lies in the street.
    const listed = await get<{ items: { id: string; gridId: string }[] }>('/api/v1/requests?open=true')
    for (const id of requests) expect(listed.items.find((r) => r.id === id)?.gridId.startsWith(STREET)).toBe(true)
    // A new item in another street never reaches this console; one in the street does.
    await post('/api/v1/requests', { id: 'theirs-2', source: 'app', category: 'noise', priority: 'general', location: pointIn(geography, OTHER_STREET) })
    await post('/api/v1/requests', { id: 'mine-2', source: 'app', category: 'noise', priority: 'general', location: pointIn(geography, STREET) })
    await page.locator('[data-testid="queue-dispatch"] [data-request="mine-2"]').waitFor({ timeout: LIVENESS_MS })
    expect(await page.locator('[data-request="theirs-2"]').count()).toBe(0)
    expect(await page.locator('[data-testid="console-scope"]').textContent()).toContain(geography.get(STREET)!.name)

    await page.goto(`${server.url}/console/admin`)
    await page.locator('[data-testid="center-only"]').waitFor({ timeout: LIVENESS_MS })
    expect(await page.locator('[data-testid="console-admin"]').count()).toBe(0)
    // In English on request, like the other views.
    await page.goto(`${server.url}/console/admin?lang=en`)
    await page.locator('[data-testid="center-only"]', { hasText: 'Center only' }).waitFor({ timeout: LIVENESS_MS })
    expect(await page.title()).toBe('Departments · rota · experts · Outpost')
    expect(errors).toEqual([])
  })
})
