import { createRequire } from 'node:module'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Count, PublicStats } from '../../shared/public'
import { createAppI18n } from '../../client/i18n'
import { formatDuration } from '../../client/kiosk/format'
import { launchChromium } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'

const STREET = '640106001'
const geography = sampleGeography()
const COMMUNITY = geography.children(STREET)[0]!.id
const OTHER_COMMUNITY = geography.children(STREET)[1]!.id
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const KB = 1024

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser

declare global {
  interface Window {
    axe: { run(context?: unknown, options?: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> }
  }
}

async function post(url: string, payload: object): Promise<void> {
  const res = await server.inject({ method: 'POST', url, payload })
  if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`)
}

/** As a resident's browser asks it: no cookie, no key. */
async function publicStats(unit: string): Promise<PublicStats> {
  const res = await fetch(`${server.url}/api/v1/public/stats?unit=${unit}`)
  expect(res.status).toBe(200)
  return (await res.json()) as PublicStats
}

async function openKiosk(path: string, options: { reducedMotion?: 'reduce'; bypassCSP?: boolean } = {}) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, ...options })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${server.url}${path}`)
  await page.locator('[data-testid="kiosk-card"]').waitFor({ timeout: 15_000 })
  return { context, page, errors }
}

const count = (c: Count) => (typeof c === 'number' ? c.toLocaleString('zh-CN') : c)
const rate = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`)

/** What each `[data-key]` on the kiosk should read, from the API's answer. */
function expectedValues(stats: PublicStats): Map<string, string> {
  const t = createAppI18n('zh-CN').global.t
  const values = new Map<string, string>([
    ['month.received', count(stats.month.received)],
    ['month.handled', count(stats.month.handled)],
    ['year.received', count(stats.year.received)],
    ['year.handled', count(stats.year.handled)],
    ['rates.onTimeResponse', rate(stats.rates.onTimeResponse)],
    ['rates.resolution', rate(stats.rates.resolution)],
    ['rates.satisfaction', rate(stats.rates.satisfaction)],
    ['medianResponseSec', formatDuration(stats.medianResponseSec, t)],
  ])
  for (const c of stats.topCategories) values.set(`category.${c.category}`, count(c.handled))
  if (stats.comparison.units.length >= 2) {
    for (const u of stats.comparison.units) {
      values.set(`comparison.${u.unit}.handled`, count(u.handled))
      values.set(`comparison.${u.unit}.onTimeResponse`, rate(u.onTimeResponse))
      values.set(`comparison.${u.unit}.satisfaction`, rate(u.satisfaction))
    }
  }
  // A community's card shows its street's activities (the street's own answer) in place of its small counts.
  const area = stats.level === 'community' ? stats.activitiesArea : undefined
  for (const a of area ? area.items : stats.activities) {
    const prefix = area ? 'area' : 'activity'
    values.set(`${prefix}.${a.kind}.activities`, count(a.activities))
    values.set(`${prefix}.${a.kind}.participants`, count(a.participants))
  }
  return values
}

/** The card on screen: its id, its values, and whether it all fits in large type. */
async function readCard(page: Page) {
  return page.evaluate(() => {
    const card = document.querySelector<HTMLElement>('[data-testid="kiosk-card"]')!
    const values = [...card.querySelectorAll<HTMLElement>('[data-testid="kiosk-value"]')].map((e) => [e.dataset.key!, e.textContent!.trim()] as const)
    // Every piece of visible text on the page, with its size: nothing under 32 px on 1920×1080.
    const small: string[] = []
    const walker = document.createTreeWalker(document.querySelector('[data-testid="kiosk"]')!, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement!
      const box = el.getBoundingClientRect()
      if (!node.textContent!.trim() || box.width < 2 || box.height < 2) continue
      const size = parseFloat(getComputedStyle(el).fontSize)
      if (size < 32) small.push(`${node.textContent!.trim()} (${size}px)`)
    }
    const root = document.scrollingElement!
    return {
      id: card.dataset.card!,
      values,
      small,
      overflows: root.scrollHeight > window.innerHeight || root.scrollWidth > window.innerWidth || card.scrollHeight > card.clientHeight + 1,
      bottom: card.getBoundingClientRect().bottom,
      footerTop: document.querySelector('footer')?.getBoundingClientRect().top ?? window.innerHeight,
    }
  })
}

/**
 * How much of the screen the cards' content covers: for the turning card and the "how to report"
 * card, the box around what is drawn inside (text, tiles, bars, the QR code), as a share of the
 * viewport; and the smallest text anywhere on the kiosk.
 */
async function measureLayout(page: Page) {
  return page.evaluate(() => {
    const extent = (root: Element) => {
      let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity]
      const add = (r: DOMRect) => {
        if (r.width < 1 || r.height < 1) return
        left = Math.min(left, r.left)
        top = Math.min(top, r.top)
        right = Math.max(right, r.right)
        bottom = Math.max(bottom, r.bottom)
      }
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // Text for screen readers only (a 1 px clipped box) is not drawn.
        const box = node.parentElement!.getBoundingClientRect()
        if (!node.textContent!.trim() || box.width < 2 || box.height < 2) continue
        const range = document.createRange()
        range.selectNodeContents(node)
        add(range.getBoundingClientRect())
      }
      for (const el of root.querySelectorAll('*')) {
        const style = getComputedStyle(el)
        if (el.tagName === 'IMG' || (style.backgroundColor !== 'rgba(0, 0, 0, 0)' && style.backgroundColor !== 'transparent')) add(el.getBoundingClientRect())
      }
      return left === Infinity ? { left: 0, top: 0, right: 0, bottom: 0, area: 0 } : { left, top, right, bottom, area: (right - left) * (bottom - top) }
    }
    const viewport = window.innerWidth * window.innerHeight
    const card = document.querySelector('[data-testid="kiosk-card"]')!
    const report = document.querySelector('[data-testid="kiosk-report"]')!
    const cardContent = extent(card)
    const reportContent = extent(report)
    let smallest = Infinity
    const walker = document.createTreeWalker(document.querySelector('[data-testid="kiosk"]')!, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement!
      const box = el.getBoundingClientRect()
      if (!node.textContent!.trim() || box.width < 2 || box.height < 2) continue
      smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize))
    }
    const cardBox = card.getBoundingClientRect()
    const reportBox = report.getBoundingClientRect()
    const footerTop = document.querySelector('footer')!.getBoundingClientRect().top
    const root = document.scrollingElement!
    return {
      id: (card as HTMLElement).dataset.card!,
      coverage: (cardContent.area + reportContent.area) / viewport,
      cardFill: cardContent.area / (cardBox.width * cardBox.height),
      smallest,
      titleSize: parseFloat(getComputedStyle(document.querySelector('h1')!).fontSize),
      hotlineSize: parseFloat(getComputedStyle(document.querySelector('[data-testid="kiosk-hotline"]')!).fontSize),
      // The two cards side by side (landscape) or one over the other (portrait), never overlapping, and above the footer.
      apart: cardBox.right <= reportBox.left + 0.5 || cardBox.bottom <= reportBox.top + 0.5,
      aboveFooter: Math.max(cardBox.bottom, reportBox.bottom, cardContent.bottom, reportContent.bottom) <= footerTop + 0.5,
      overflows: root.scrollHeight > window.innerHeight || root.scrollWidth > window.innerWidth || card.scrollHeight > card.clientHeight + 1 || report.scrollHeight > report.clientHeight + 1,
    }
  })
}

async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE })
  const { violations } = await page.evaluate(() => window.axe.run())
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`)
}

beforeAll(async () => {
  server = await serveBuiltApp()
  const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  // Six requests answered, resolved and reviewed in one community, one still open in another:
  // enough for the street's rates to show, and a "<5" at community level in the comparison.
  for (let i = 0; i < 6; i++) {
    const id = `kiosk-${i}`
    await post('/api/v1/requests', {
      id,
      source: 'hotline',
      category: i < 4 ? 'environment' : 'noise',
      priority: 'general',
      location: pointIn(geography, COMMUNITY),
      receivedAt: at(20),
      reporter: { name: '张三', phone: '13812345678' },
      description: '楼道堆放杂物',
    })
    await post(`/api/v1/requests/${id}/transitions`, { stage: 'dispatched', at: at(19) })
    await post(`/api/v1/requests/${id}/transitions`, { stage: 'accepted', at: at(15 - i) })
    await post(`/api/v1/requests/${id}/transitions`, { stage: 'resolved', at: at(5) })
    await post(`/api/v1/requests/${id}/transitions`, { stage: 'reviewed', at: at(1), review: { resolved: true, satisfaction: i === 0 ? 'dissatisfied' : 'satisfied' } })
  }
  await post('/api/v1/requests', { id: 'kiosk-open', source: 'app', category: 'property', priority: 'general', location: pointIn(geography, OTHER_COMMUNITY), receivedAt: at(10) })
  await post('/api/v1/activities', { team: '银龄志愿服务队', kind: 'senior_class', unit: COMMUNITY, at: at(30), participants: 24 })
  await post('/api/v1/activities', { team: '爱心理发队', kind: 'free_haircut', unit: OTHER_COMMUNITY, at: at(40), participants: 3 })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('/kiosk in Chromium', () => {
  it('shows, card by card, the numbers of GET /api/v1/public/stats, in large type and without scrolling', async () => {
    const stats = await publicStats(STREET)
    expect(stats.month.handled).toBe(6)
    const expected = expectedValues(stats)
    const { context, page, errors } = await openKiosk(`/kiosk?unit=${STREET}&every=3`)
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN')
    expect(await page.locator('h1').textContent()).toContain(stats.name)

    const seen: string[] = []
    const shown = new Map<string, string>()
    for (;;) {
      const card = await readCard(page)
      if (seen.includes(card.id)) break
      seen.push(card.id)
      for (const [key, text] of card.values) shown.set(key, text)
      expect(card.small, card.id).toEqual([])
      expect(card.overflows, card.id).toBe(false)
      expect(card.bottom, card.id).toBeLessThanOrEqual(card.footerTop)
      // It turns to the next card by itself.
      await page.waitForFunction((id) => document.querySelector<HTMLElement>('[data-testid="kiosk-card"]')?.dataset.card !== id, card.id, { timeout: 10_000 })
    }
    expect(seen.slice(0, 2)).toEqual(['volume', 'rates'])
    expect(seen).toContain('categories')
    expect(seen).toContain('comparison')
    expect(seen).toContain('activities')
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(expected))
    // The comparison has suppressed counts at community level: the footer explains "<5".
    expect(await page.locator('[data-testid="kiosk-suppressed"]').count()).toBe(stats.comparison.units.some((u) => typeof u.handled === 'string') ? 1 : 0)
    // Nothing personal on any card.
    expect(await page.locator('body').textContent()).not.toMatch(/张三|138|杂物/)
    expect(errors).toEqual([])
    await context.close()
  })

  it('shows a community whose counts are small or withheld, explains "<5" and "*" in the footer, and still fits', async () => {
    const stats = await publicStats(COMMUNITY)
    // Six handled here and none elsewhere in the street: the six would tell that every other
    // community's "<5" is 0, so they are withheld.
    expect(stats.month.handled).toBe('*')
    const expected = expectedValues(stats)
    const { context, page, errors } = await openKiosk(`/kiosk?unit=${COMMUNITY}&every=3`)
    const shown = new Map<string, string>()
    const seen: string[] = []
    for (;;) {
      const card = await readCard(page)
      if (seen.includes(card.id)) break
      seen.push(card.id)
      for (const [key, text] of card.values) shown.set(key, text)
      expect(card.small, card.id).toEqual([])
      expect(card.overflows, card.id).toBe(false)
      expect(card.bottom, card.id).toBeLessThanOrEqual(card.footerTop)
      if (card.id === 'volume') expect(await page.locator('[data-figure="month.handled"] [data-testid="kiosk-withheld-note"]').textContent()).toBe('为保护隐私不显示')
      await page.waitForFunction((id) => document.querySelector<HTMLElement>('[data-testid="kiosk-card"]')?.dataset.card !== id, card.id, { timeout: 10_000 })
    }
    expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(expected))
    expect(await page.locator('[data-testid="kiosk-withheld"]').textContent()).toContain('“*”')
    expect(await page.locator('[data-testid="kiosk-suppressed"]').textContent()).toContain('“<5”')
    expect(errors).toEqual([])
    await context.close()
  })

  it('passes axe on every card, declares its language, and speaks English with ?lang=en', async () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      // axe goes in as an inline script, which the page's CSP rightly refuses: the test lifts it.
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true, reducedMotion: 'reduce' })
      const page = await context.newPage()
      // Ten minutes a card, and the test jumps the page's clock to turn them: none turns while axe
      // reads it (axe needs the page's timers running, so the clock cannot simply be paused).
      await page.clock.install()
      await page.goto(`${server.url}/kiosk?unit=${STREET}&every=600${lang === 'en' ? '&lang=en' : ''}`)
      await page.locator('[data-testid="kiosk-connection"][data-state="live"]').waitFor({ timeout: 15_000 })
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang)
      expect(await page.locator('[data-testid="kiosk"]').getAttribute('data-motion')).toBe('reduce')
      expect(await page.locator('[data-testid="kiosk-cards"]').getAttribute('aria-live')).toBe('polite')
      const card = page.locator('[data-testid="kiosk-card"]')
      const seen: string[] = []
      for (;;) {
        const id = (await card.getAttribute('data-card'))!
        if (seen.includes(id)) break
        seen.push(id)
        expect(await axeProblems(page), `${lang} ${id}`).toEqual([])
        await page.clock.fastForward(600_000)
        await expect.poll(() => card.getAttribute('data-card')).not.toBe(id)
      }
      expect(seen.length).toBeGreaterThanOrEqual(5)
      if (lang === 'en') expect(await page.locator('h1').textContent()).toContain('Services for residents')
      await context.close()
    }
  })

  for (const [orientation, width, height] of [['portrait', 1080, 1920], ['landscape', 1920, 1080]] as const) {
    it(`fills a ${orientation} ${width}×${height} screen with every card and how to report, in type readable from three metres`, async () => {
      const office = await server.inject({
        method: 'PUT',
        url: `/api/v1/directory/contacts/${STREET}`,
        payload: { phone: '0951-5012345', qr: 'https://example.org/report?unit=640106001', hours: '工作日 8:30–12:00，13:30–17:30' },
        headers: { cookie: server.headers.cookie, origin: 'http://localhost' },
      })
      expect(office.statusCode).toBe(200)
      for (const unit of [STREET, COMMUNITY]) {
        const context = await browser.newContext({ viewport: { width, height }, reducedMotion: 'reduce' })
        const page = await context.newPage()
        await page.clock.install()
        await page.goto(`${server.url}/kiosk?unit=${unit}&every=600`)
        // The figures are cached up to 10 s: wait for a reading that has the office number.
        await page.locator('[data-testid="kiosk-office-phone"]').waitFor({ timeout: 20_000 })
        expect(await page.locator('[data-testid="kiosk-hotline"]').textContent()).toBe('12345')
        expect(await page.locator('[data-testid="kiosk-office-phone"]').textContent()).toBe('0951-5012345')
        // A community without its own shows its street's.
        expect(await page.locator('[data-testid="kiosk-office-phone"]').getAttribute('data-from')).toBe(STREET)
        expect(await page.locator('[data-testid="kiosk-qr"]').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
        const periods = await page.locator('[data-testid="kiosk-period"]').allTextContents()
        expect(periods).toHaveLength(2)
        expect(periods[1]).toMatch(/^统计期 \d{4}年\d{1,2}月\d{1,2}日/)
        const seen: string[] = []
        const measured: string[] = []
        for (;;) {
          const m = await measureLayout(page)
          if (seen.includes(m.id)) break
          seen.push(m.id)
          measured.push(`${m.id} ${(m.coverage * 100).toFixed(0)}% (card ${(m.cardFill * 100).toFixed(0)}%)`)
          if (unit === STREET) await page.screenshot({ path: `/tmp/outpost-kiosk/test-${orientation}-${m.id}.png` })
          // Most of the screen: the header's name and the footer's notes take the rest.
          expect(m.coverage, `${unit} ${m.id}`).toBeGreaterThan(0.52)
          expect(m.cardFill, `${unit} ${m.id}`).toBeGreaterThan(0.75)
          expect(m.cardFill, `${unit} ${m.id}`).toBeLessThanOrEqual(1)
          expect(m.smallest, `${unit} ${m.id}`).toBeGreaterThanOrEqual(32)
          expect(m.titleSize).toBeGreaterThanOrEqual(64)
          expect(m.hotlineSize).toBeGreaterThanOrEqual(90)
          expect(m.apart, `${unit} ${m.id}`).toBe(true)
          expect(m.aboveFooter, `${unit} ${m.id}`).toBe(true)
          expect(m.overflows, `${unit} ${m.id}`).toBe(false)
          await page.clock.fastForward(600_000)
          await page.waitForFunction((id) => document.querySelector<HTMLElement>('[data-testid="kiosk-card"]')?.dataset.card !== id, m.id)
        }
        console.log(`kiosk ${orientation} ${unit}: ${measured.join(', ')}`)
        expect(seen).toContain('activities')
        if (unit === COMMUNITY) {
          // The community's activities card speaks of its street's, with no row of "<5".
          while ((await page.locator('[data-testid="kiosk-card"]').getAttribute('data-card')) !== 'activities') {
            const id = await page.locator('[data-testid="kiosk-card"]').getAttribute('data-card')
            await page.clock.fastForward(600_000)
            await page.waitForFunction((prev) => document.querySelector<HTMLElement>('[data-testid="kiosk-card"]')?.dataset.card !== prev, id)
          }
          expect(await page.locator('[data-testid="kiosk-activities-area"]').getAttribute('data-unit')).toBe(STREET)
          expect(await page.locator('[data-testid="kiosk-card"]').textContent()).not.toContain('<5')
        }
        await context.close()
      }
    })
  }

  it('fades cards in and out, but not for a screen that asks for reduced motion', async () => {
    const duration = async (page: Page) =>
      page.evaluate(() => {
        // A copy of the card as Vue's transition would have it while entering.
        const card = document.querySelector<HTMLElement>('[data-testid="kiosk-card"]')!
        const copy = card.cloneNode(false) as HTMLElement
        copy.removeAttribute('data-testid')
        copy.classList.add('kiosk-card-enter-active')
        card.parentElement!.append(copy)
        const value = getComputedStyle(copy).transitionDuration
        copy.remove()
        return value
      })
    const normal = await openKiosk(`/kiosk?unit=${STREET}`)
    expect(await duration(normal.page)).not.toBe('0s')
    await normal.context.close()
    const reduced = await openKiosk(`/kiosk?unit=${STREET}`, { reducedMotion: 'reduce' })
    expect(await duration(reduced.page)).toBe('0s')
    await reduced.context.close()
  })

  it('loads under 150 KB of script, without MapLibre or ECharts, and talks only to the public side', async () => {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1920, height: 1080 } })
    const page = await context.newPage()
    const scripts = new Map<string, Buffer>()
    const pending: Promise<void>[] = []
    const requests: string[] = []
    const sent: string[] = []
    page.on('request', (request) => {
      requests.push(request.url())
      const body = request.postData()
      if (body) sent.push(body)
    })
    page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload))))
    page.on('response', (response) => {
      const type = response.request().resourceType()
      const url = new URL(response.url())
      if (type === 'script' || /\.m?js$/.test(url.pathname)) {
        pending.push(
          response.body().then(
            (body) => void scripts.set(url.pathname, body),
            () => undefined,
          ),
        )
      }
    })
    await page.goto(`${server.url}/kiosk?unit=${STREET}`)
    await page.locator('[data-testid="kiosk-connection"][data-state="live"]').waitFor({ timeout: 15_000 })
    await page.waitForLoadState('networkidle')
    await Promise.all(pending)

    expect(scripts.size).toBeGreaterThan(0)
    expect([...scripts.keys()].some((p) => /KioskView/.test(p))).toBe(true)
    const gzipped = [...scripts.values()].reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0)
    console.log(`kiosk script: ${(gzipped / KB).toFixed(1)} KiB gzipped in ${scripts.size} files`)
    expect(gzipped).toBeLessThan(150 * KB)
    for (const [path, body] of scripts) {
      // The entry's preload map names every chunk of the app (`assets/echarts-….js`): names, not code.
      const text = body.toString('utf8').replace(/assets\/[\w.-]+\.(?:m?js|css)/g, '')
      expect(path).not.toMatch(/WallView|LeaderView|use-map|maplibre|echarts/i)
      expect(text.includes('maplibregl'), path).toBe(false)
      expect(text.includes('echarts'), path).toBe(false)
    }
    expect(await page.evaluate(() => !document.querySelector('.maplibregl-map, canvas'))).toBe(true)

    // Data only from the public route and the public namespace.
    const api = requests.map((u) => new URL(u)).filter((u) => u.pathname.startsWith('/api/'))
    expect(api.length).toBeGreaterThan(0)
    expect(api.filter((u) => u.pathname !== '/api/v1/public/stats')).toEqual([])
    expect(sent.some((s) => s.includes('/public'))).toBe(true)
    expect(sent.filter((s) => s.includes('/live'))).toEqual([])
    await context.close()
  })
})
