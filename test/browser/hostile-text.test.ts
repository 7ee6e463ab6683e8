import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, ElementHandle, Page } from 'playwright-core'
import { launchChromium, postJson } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp, sessionCookie } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'

const geography = sampleGeography()
const GRID = geography.children(geography.children('640106002')[0]!.id)[0]!.id
const PHONE = '13812345678'
/** A right-to-left override: unisolated, it turns what follows around ("‮张三 · 138…" reads backwards). */
const RLO = '\u202E'
/** A letter under and over hundreds of combining marks (U+0300–U+036F): a tower of accents. */
const zalgo = (letter: string, marks: number) => letter + Array.from({ length: marks }, (_, i) => String.fromCharCode(0x300 + (i % 0x70))).join('')

interface Hostile {
  id: string
  description: string
  name: string
  /** The name of the department it is dispatched to. */
  assignee: string
  note: string
}

const REQUESTS: Hostile[] = [
  {
    id: 'hostile-long',
    description: 'W'.repeat(3990),
    name: `${RLO}张三`,
    assignee: `${RLO}w-1 gnitset`,
    note: 'N'.repeat(2000),
  },
  {
    id: 'hostile-zalgo',
    description: `${zalgo('Z', 300)} 路灯不亮 ${zalgo('a', 200)} 已报修`,
    name: zalgo('张', 60),
    assignee: zalgo('w', 60),
    note: `${zalgo('n', 300)} ${RLO}复核`,
  },
]

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  server = await serveBuiltApp()
  for (const r of REQUESTS) {
    const created = await postJson(server, '/api/v1/requests', {
      id: r.id,
      source: 'hotline',
      category: 'noise',
      priority: 'general',
      location: pointIn(geography, GRID),
      description: r.description,
      reporter: { name: r.name, phone: PHONE },
    })
    expect(created.status).toBe(201)
    // The assignee's text is a department's name in the directory (center-supplied, up to 64 characters).
    const department = await server.inject({ method: 'POST', url: '/api/v1/directory/departments', payload: { id: `dept-${r.id}`, name: r.assignee, kind: 'other' } })
    expect(department.statusCode, department.body).toBe(201)
    const dispatched = await postJson(server, `/api/v1/requests/${r.id}/transitions`, {
      stage: 'dispatched',
      assignee: { kind: 'department', id: `dept-${r.id}` },
      note: r.note,
    })
    expect(dispatched.status).toBe(201)
  }
  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  await context.addCookies([sessionCookie(server.url, server.headers.cookie)])
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** The request page as the center user (who sees the reporter's name unmasked), once drawn. */
async function openRequest(id: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${server.url}/leader/requests/${id}`)
  await page.locator('[data-testid="request-timeline"] li').first().waitFor({ timeout: LIVENESS_MS })
  // The page's small map draws its first frames after the timeline shows: wait for it to settle, or
  // the screenshots taken with a text shown and hidden differ by the map's frames, not by the text.
  await page.locator('[data-testid="request-map"][data-ready="true"]').waitFor({ timeout: LIVENESS_MS })
  return page
}

/** The element that holds exactly `text` and nothing else, if any. */
async function holderOf(page: Page, text: string): Promise<ElementHandle<HTMLElement> | null> {
  const handle = await page.evaluateHandle((wanted) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) if (node.textContent === wanted) return node.parentElement
    return null
  }, text)
  return handle.asElement() as ElementHandle<HTMLElement> | null
}

/** How the page lays the element out, whether it isolates its direction, and where what follows it lies. */
function layoutOf(element: ElementHandle<HTMLElement>) {
  return element.evaluate((e) => {
    const box = e.getBoundingClientRect()
    let following: { left: number; right: number } | null = null
    const after = e.nextSibling
    if (after?.nodeType === Node.TEXT_NODE && after.textContent!.trim()) {
      const range = document.createRange()
      range.selectNodeContents(after)
      const rect = range.getBoundingClientRect()
      following = { left: rect.left, right: rect.right }
    }
    return { tag: e.tagName.toLowerCase(), unicodeBidi: getComputedStyle(e).unicodeBidi, box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom }, following }
  })
}

/** The page's scroller (the leader's pages scroll in their own box) moved so that `edge` of the element sits at `y`. */
async function scrollEdgeTo(element: ElementHandle<HTMLElement>, edge: 'top' | 'bottom', y: number): Promise<number> {
  return element.evaluate(
    (e, { edge, y }) => {
      const scroller = e.closest('.leader') ?? document.scrollingElement!
      scroller.scrollTop += e.getBoundingClientRect()[edge] - y
      return e.getBoundingClientRect()[edge]
    },
    { edge, y },
  )
}

/** PNG bytes of a strip of the viewport: equal bytes, equal pixels. */
function strip(page: Page, top: number, bottom: number): Promise<Buffer> {
  const { width } = page.viewportSize()!
  return page.screenshot({ clip: { x: 0, y: top, width, height: bottom - top } })
}

/**
 * Whether the element draws anything outside its own box: the viewport above its top and below
 * its bottom, screenshot with it shown and with it hidden (which leaves the layout alone).
 */
async function drawsOutside(page: Page, element: ElementHandle<HTMLElement>): Promise<{ above: boolean; below: boolean }> {
  const { height } = page.viewportSize()!
  // The strip shown, hidden, shown again: the page changes on its own too (a step's time since
  // receipt ticks, the small map draws a late frame), so only a strip that reads the same before
  // and after the hidden one tells whether the element drew in it; under load, try again.
  const compare = async (top: number, bottom: number) => {
    if (bottom - top < 1) return false
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await strip(page, top, bottom)
      await element.evaluate((e) => (e.style.visibility = 'hidden'))
      const hidden = await strip(page, top, bottom)
      await element.evaluate((e) => (e.style.visibility = ''))
      const after = await strip(page, top, bottom)
      if (before.equals(after)) return !before.equals(hidden)
    }
    throw new Error(`the strip ${top}–${bottom} px changed on its own in five tries`)
  }
  const top = await scrollEdgeTo(element, 'top', height / 3)
  const above = await compare(0, Math.floor(top))
  const bottom = await scrollEdgeTo(element, 'bottom', (height * 2) / 3)
  const below = await compare(Math.ceil(bottom), height)
  return { above, below }
}

describe('hostile text on the request page in Chromium (1440×900)', () => {
  for (const r of REQUESTS) {
    it(`${r.id}: wraps, isolates and keeps its marks to itself`, async () => {
      const page = await openRequest(r.id)
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))

      // Nothing runs off the page sideways: neither the document nor the box the page scrolls in.
      const overflow = await page.evaluate(() =>
        [document.scrollingElement!, document.querySelector('.leader')!].map((e) => ({ scroll: e.scrollWidth, client: e.clientWidth })),
      )
      for (const { scroll, client } of overflow) expect(scroll).toBeLessThanOrEqual(client)
      const { width } = page.viewportSize()!
      const header = await page.evaluate(() => Math.max(...[...document.querySelectorAll('.leader-header, [data-testid="request-page"] h2')].map((e) => e.getBoundingClientRect().bottom)))

      for (const [field, text] of [
        ['description', r.description],
        ['reporter name', r.name],
        ['assignee', r.assignee],
        ['note', r.note],
      ] as const) {
        await page.evaluate(() => (document.querySelector('.leader')!.scrollTop = 0))
        // Shown as stored, not a character changed, in an element of its own that isolates its direction…
        const element = await holderOf(page, text)
        expect(element, `${field} shown as stored, in an element of its own`).not.toBeNull()
        const layout = await layoutOf(element!)
        expect(layout.tag === 'bdi' || ['isolate', 'isolate-override', 'plaintext'].includes(layout.unicodeBidi), `${field} isolated (${layout.tag}, ${layout.unicodeBidi})`).toBe(true)
        // …within the page's width, under the header…
        expect(layout.box.left, `${field} left`).toBeGreaterThanOrEqual(0)
        expect(layout.box.right, `${field} right`).toBeLessThanOrEqual(width)
        expect(layout.box.top, `${field} under the header`).toBeGreaterThanOrEqual(header)
        // …and whatever it draws (a tower of marks) stays in its own box.
        expect(await drawsOutside(page, element!), `${field} draws outside its box`).toEqual({ above: false, below: false })
      }

      await page.evaluate(() => (document.querySelector('.leader')!.scrollTop = 0))
      // The reporter's phone reads after the name, left to right, whatever the name's direction.
      const reporter = await layoutOf((await holderOf(page, r.name))!)
      expect(reporter.following, 'the phone follows the name').not.toBeNull()
      expect(reporter.following!.left).toBeGreaterThanOrEqual(reporter.box.right - 1)
      expect(errors).toEqual([])
      await page.close()
    })
  }
})
