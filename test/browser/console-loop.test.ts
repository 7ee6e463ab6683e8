// The whole loop from screens, in Chromium: an officer takes a walk-in request on /console,
// dispatches it to the department sitting at that street now (the rota), the department's steps
// come through the API with an ingest key, the officer records the follow-up review; the wall
// shows the request at each stage, and the leader view's figures count it. Then the screenshots
// of /console and /console/admin at 1440×900 (README shows copies of them).
import { mkdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DEFAULT_TIME_ZONE, type Weekday } from '../../shared/domain'
import type { MetricsReply } from '../../shared/metrics'
import type { RequestDetail } from '../../shared/schemas/requests'
import { launchChromium } from '../helpers/browser'
import { CENTER, pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp, sessionCookie } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'

const STREET = '640106001'
const geography = sampleGeography()
const COMMUNITY = geography.children(STREET)[1]!.id
/** Where the screenshots go (outside the repository, so a test run leaves the tree clean): look at
 * them; README's copies in .github/screenshots/ are taken from here by hand. */
const SCREENSHOTS = '/tmp/outpost-console/'

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
let context: BrowserContext
let officer: Page
let wall: Page
const errors: string[] = []

/** Today's ISO weekday in the center's zone. */
function weekdayNow(): Weekday {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: DEFAULT_TIME_ZONE, weekday: 'short' }).format(new Date())
  return (['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(name) + 1) as Weekday
}

async function api<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> {
  const res = await server.inject({ method, url, ...(payload ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json() as T
}

/** A ticker row on the wall for a step of a request (the wall's only request, in this server). */
const tickerStep = (stage: string) => wall.locator(`[data-testid="ticker-row"][data-type="request.transitioned"]`, { hasText: stage })

beforeAll(async () => {
  server = await serveBuiltApp()
  const actor = { kind: 'cli' as const, name: 'test-setup' }
  // The directory: the department on duty at the street all today, another one that is not, an expert.
  await server.app.directory.addDepartment({ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }, actor)
  await server.app.directory.addDepartment({ id: 'cg-jf', name: '金凤区城管局', kind: 'urban_management' }, actor)
  await server.app.directory.addRota({ departmentId: 'zj-jf', streetId: STREET, weekday: weekdayNow(), from: '00:00', to: '24:00' }, actor)
  await server.app.directory.addExpert({ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }, actor)
  // An open alert and a late request, so that the console has something in every queue for its picture.
  await api('POST', '/api/v1/alerts', { id: 'loop-alert', cameraId: 'cam-loop', kind: 'flying_wire_charging', confidence: 0.88, location: pointIn(geography, STREET), snapshotUrl: '/favicon.svg' })
  await api('POST', '/api/v1/requests', { id: 'loop-late', source: 'hotline', category: 'utilities', priority: 'urgent', location: pointIn(geography, STREET), receivedAt: new Date(Date.now() - 40 * 60_000).toISOString() })

  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await context.addCookies([sessionCookie(server.url, server.headers.cookie)])
  wall = await context.newPage()
  wall.on('pageerror', (error) => errors.push(error.message))
  await wall.goto(`${server.url}/wall`)
  await wall.waitForFunction(() => document.documentElement.dataset.mapGrids === 'true', undefined, { timeout: LIVENESS_MS })
  officer = await context.newPage()
  officer.on('pageerror', (error) => errors.push(error.message))
  await officer.goto(`${server.url}/console`)
  await officer.locator('[data-testid="console-desk"][data-live="live"][data-loaded="true"]').waitFor({ timeout: LIVENESS_MS })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('the whole loop from the console', () => {
  let requestId = ''
  let before: MetricsReply

  it('takes a walk-in request at the desk, with the keyboard', async () => {
    before = await api<MetricsReply>('GET', `/api/v1/metrics?unit=${STREET}`)
    await officer.locator('[data-testid="take-request"]').click()
    const form = officer.locator('[data-testid="take-form"]')
    await form.waitFor()
    // Focus starts in the form's first field.
    expect(await officer.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('take-source')
    // A click on the small map picks a place…
    const map = form.locator('[data-testid="location-map"][data-ready="true"]')
    await map.waitFor({ timeout: LIVENESS_MS })
    await map.click()
    await form.locator('[data-testid="take-picked"]').waitFor()
    await mkdir(SCREENSHOTS, { recursive: true })
    await officer.screenshot({ path: `${SCREENSHOTS}console-take.png` })
    // …and the address list of the district's communities picks one's middle instead.
    await form.locator('[data-testid="take-category"]').selectOption('property')
    await form.locator('[data-testid="take-description"]').fill('小区电梯停运三天，物业不处理')
    await form.locator('[data-testid="take-name"]').fill('李四')
    await form.locator('[data-testid="take-phone"]').fill('13900001111')
    await form.locator('[data-testid="take-community"]').selectOption(COMMUNITY)
    await form.locator('[data-testid="take-picked"]').waitFor()
    // Enter in a text field submits.
    await form.locator('[data-testid="take-phone"]').press('Enter')
    const created = officer.locator('[data-testid="notice"][data-kind="info"]').first()
    await created.waitFor({ timeout: LIVENESS_MS })
    requestId = (await created.getAttribute('data-subject'))!
    await form.waitFor({ state: 'detached' })

    const detail = await api<RequestDetail>('GET', `/api/v1/requests/${requestId}`)
    expect(detail.source).toBe('walk_in')
    expect(detail.category).toBe('property')
    expect(detail.communityId).toBe(COMMUNITY)
    expect(detail.stages[0]!.actor).toEqual({ kind: 'user', name: CENTER.username })
    // The grid's worker reports from where the request is.
    await api('POST', '/api/v1/patrols', { pings: [{ workerId: 'w-loop', kind: 'ping', location: detail.location }] })
    await wall.locator('[data-testid="ticker-row"][data-type="request.received"]').first().waitFor({ timeout: LIVENESS_MS })
  })

  it('dispatches it to the department on duty at that street, suggested first', async () => {
    const row = officer.locator(`[data-testid="queue-dispatch"] [data-request="${requestId}"]`)
    await row.waitFor({ timeout: LIVENESS_MS })
    await row.locator('[data-action="dispatch"]').click()
    const form = officer.locator('[data-testid="dispatch-form"]')
    await form.locator('input[type="radio"]').first().waitFor({ timeout: LIVENESS_MS })
    const groups = await form.locator('fieldset').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')))
    expect(groups[0]).toBe('onDutyNow')
    expect(groups).toContain('gridWorker')
    expect(groups).toContain('expert')
    const chosen = await form.locator('input[type="radio"]:checked').evaluate((e) => (e as HTMLInputElement).value)
    expect(chosen).toBe('department:zj-jf')
    // The picture of a dispatch, for the README.
    await mkdir(SCREENSHOTS, { recursive: true })
    await officer.screenshot({ path: `${SCREENSHOTS}console-dispatch.png` })
    await form.locator('input[type="radio"]:checked').press('Enter')
    await form.waitFor({ state: 'detached', timeout: LIVENESS_MS })
    await row.waitFor({ state: 'detached', timeout: LIVENESS_MS })

    const detail = await api<RequestDetail>('GET', `/api/v1/requests/${requestId}`)
    expect(detail.stage).toBe('dispatched')
    expect(detail.stages[1]!.assignee).toEqual({ kind: 'department', id: 'zj-jf' })
    expect(detail.stages[1]!.actor).toEqual({ kind: 'user', name: CENTER.username })
    // A routine step is not ticker news on the wall (resolutions, returns and reopenings are).
  })

  it('takes the department’s steps from the API, and the officer records the review', async () => {
    await api('POST', `/api/v1/requests/${requestId}/transitions`, { stage: 'accepted', expectedStage: 'dispatched' })
    // A routine step is not ticker news on the wall (resolutions, returns and reopenings are).
    await api('POST', `/api/v1/requests/${requestId}/transitions`, { stage: 'resolved', expectedStage: 'accepted', note: '已联系维保单位修复' })
    await tickerStep('办结').first().waitFor({ timeout: LIVENESS_MS })

    const row = officer.locator(`[data-testid="queue-follow-up"] [data-request="${requestId}"]`)
    await row.waitFor({ timeout: LIVENESS_MS })
    await row.locator('[data-action="review"]').click()
    const form = officer.locator('[data-testid="review-form"]')
    await form.waitFor()
    await form.locator('[data-testid="review-basically_satisfied"]').check()
    await form.locator('[data-testid="review-submit"]').click()
    await form.waitFor({ state: 'detached', timeout: LIVENESS_MS })
    await row.waitFor({ state: 'detached', timeout: LIVENESS_MS })
    // A routine step is not ticker news on the wall (resolutions, returns and reopenings are).

    const detail = await api<RequestDetail>('GET', `/api/v1/requests/${requestId}`)
    expect(detail.stages.map((s) => s.stage)).toEqual(['received', 'dispatched', 'accepted', 'resolved', 'reviewed'])
    expect(detail.stages[4]!.review).toEqual({ resolved: true, satisfaction: 'basically_satisfied' })
    expect(detail.stages[4]!.actor).toEqual({ kind: 'user', name: CENTER.username })
    expect(detail.stages[2]!.actor).toEqual({ kind: 'key', source: 'test' })
  })

  it('is counted in the leader view’s figures', async () => {
    const after = await api<MetricsReply>('GET', `/api/v1/metrics?unit=${STREET}`)
    expect(after.figures.requests).toBe(before.figures.requests + 1)
    expect(after.figures.resolution.n).toBe(before.figures.resolution.n + 1)
    expect(after.figures.satisfaction.n).toBe(before.figures.satisfaction.n + 1)
    const leader = await context.newPage()
    await leader.goto(`${server.url}/leader?unit=${STREET}`)
    const value = leader.locator('[data-figure="requests"] [data-testid="figure-value"]')
    await expect.poll(async () => Number(await value.textContent()), { timeout: LIVENESS_MS }).toBe(after.figures.requests)
    await leader.close()
  })

  it('looks right at 1440×900: the console and the admin page', async () => {
    await officer.locator('[data-testid="queue-alerts"] [data-alert="loop-alert"]').waitFor({ timeout: LIVENESS_MS })
    await officer.locator('[data-testid="queue-deadline"] [data-request="loop-late"]').waitFor({ timeout: LIVENESS_MS })
    await officer.locator('[data-testid="on-duty"] [data-department="zj-jf"][data-now="true"]').waitFor({ timeout: LIVENESS_MS })
    // 督办 the overdue one from the deadline queue: a note, Enter, and it shows the count.
    const late = officer.locator('[data-testid="queue-deadline"] [data-request="loop-late"]')
    expect(await late.locator('[data-testid="countdown"]').getAttribute('data-state')).toBe('overdue')
    await late.locator('[data-action="urge"]').click()
    await officer.locator('[data-testid="note-input"]').fill('请于30分钟内响应')
    await officer.locator('[data-testid="note-input"]').press('Enter')
    await late.locator('.urged').waitFor({ timeout: LIVENESS_MS })
    const urged = await api<RequestDetail>('GET', '/api/v1/requests/loop-late')
    expect(urged.urges.map((u) => [u.actor, u.note])).toEqual([[{ kind: 'user', name: CENTER.username }, '请于30分钟内响应']])
    await officer.screenshot({ path: `${SCREENSHOTS}console.png` })
    // Nothing scrolls sideways on a laptop.
    expect(await officer.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)

    await officer.goto(`${server.url}/console/admin`)
    const admin = officer.locator('[data-testid="console-admin"]')
    await admin.locator('[data-department="zj-jf"]').waitFor({ timeout: LIVENESS_MS })
    // A bad id is refused by the server, and its message sits next to the id field.
    const form = admin.locator('[data-testid="add-department"]')
    await form.locator('input[name="id"]').fill('bad id!')
    await form.locator('input[name="name"]').fill('水务局')
    await form.locator('button[type="submit"]').click()
    await form.locator('[data-field="id"]').waitFor({ timeout: LIVENESS_MS })
    expect(await form.locator('input[name="id"]').getAttribute('aria-invalid')).toBe('true')
    await form.locator('input[name="id"]').fill('sw-jf')
    await form.locator('select[name="kind"]').selectOption('water')
    await form.locator('button[type="submit"]').click()
    await admin.locator('[data-department="sw-jf"]').waitFor({ timeout: LIVENESS_MS })
    expect(server.app.directory.department('sw-jf')?.name).toBe('水务局')
    await officer.screenshot({ path: `${SCREENSHOTS}console-admin.png` })
    expect(errors).toEqual([])
  })
})
