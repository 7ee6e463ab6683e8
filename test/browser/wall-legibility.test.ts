// The wall read from five metres (issue 19): type sizes, the legend against the map's own layer
// styles, overlays clear of the framed units, clusters at the scene's zoom, grid colours as
// rendered, the ticker's last row whole, the alert kind whole in English, the snapshot through
// the server. Measured in real Chromium on the built client.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { deflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { backfill } from '../../server/sim/backfill'
import { SqliteStore } from '../../server/store/sqlite-store'
import { COLOUR_SCALES } from '../../client/map/colour-scale'
import { COUNT_FONT_SIZE } from '../../client/map/images'
import { LABEL_STYLE } from '../../client/map/label-text'
import { REQUEST_CLUSTER_MAX_ZOOM } from '../../client/map/sources/events'
import { geometryBbox, polygonsOf } from '../../shared/domain'
import { buildSampleGeography } from '../../shared/sample-geography'
import { launchChromium, openWall, postJson } from '../helpers/browser'
import { pointIn, sampleGeography, startTestServer } from '../helpers/build-app'
import { clientDir } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'

const SHOT = '/tmp/outpost-wall-legibility-1080.png'
const SHOT_EN = '/tmp/outpost-wall-legibility-en-1080.png'
const units = buildSampleGeography()
const geography = sampleGeography()

let busy: Awaited<ReturnType<typeof startTestServer>>
let quiet: Awaited<ReturnType<typeof startTestServer>>
let browser: Browser
/** A camera on the LAN: answers a PNG for any path, and counts who asked. */
let camera: Server
let cameraOrigin = ''
const cameraHits: string[] = []

/** A solid 64×36 PNG (what a camera's snapshot stands in for). */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf: Buffer) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const out = Buffer.alloc(body.length + 8)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc(body), body.length + 4)
    return out
  }
  const [w, h] = [64, 36]
  const header = Buffer.alloc(13)
  header.writeUInt32BE(w, 0)
  header.writeUInt32BE(h, 4)
  header.set([8, 2, 0, 0, 0], 8)
  const rows = Buffer.concat(Array.from({ length: h }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, 0x80)])))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))])
}

beforeAll(async () => {
  const image = png()
  camera = createServer((req, res) => {
    cameraHits.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length })
    res.end(image)
  })
  await new Promise<void>((resolve) => camera.listen(0, '127.0.0.1', resolve))
  cameraOrigin = `http://127.0.0.1:${(camera.address() as AddressInfo).port}`
  // Two days of history: open requests all over the district (clusters), figures, charts.
  const store = new SqliteStore({ filename: ':memory:' })
  await backfill({ store, geography, days: 2, now: Date.now() })
  busy = await startTestServer({ clientDir, store, geography, realtime: { tickMs: 100, metricsIntervalMs: 2_000 }, snapshots: { origins: [cameraOrigin] } })
  // Nothing at all: no heat, no markers, figures that never change (the colour test sets them).
  quiet = await startTestServer({ clientDir, realtime: { tickMs: 100, metricsIntervalMs: 600_000 } })
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await busy?.close()
  await quiet?.close()
  await new Promise((resolve) => camera?.close(resolve))
})

async function settle(page: Page): Promise<void> {
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
  await page.waitForFunction(() => document.documentElement.dataset.mapColouredGrids !== undefined && document.documentElement.dataset.mapEventCount !== undefined, undefined, {
    timeout: LIVENESS_MS,
  })
  await page.locator('[data-testid="kpi-requests"]:not([data-value=""])').waitFor({ timeout: LIVENESS_MS })
}

/** Every piece of text on the wall with its computed size, but the legend's captions. */
async function textSizes(page: Page): Promise<{ count: number; small: string[] }> {
  return page.evaluate(() => {
    const root = document.querySelector('[data-testid="wall"]')!
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT)
    const small: string[] = []
    let count = 0
    while (walker.nextNode()) {
      const node = walker.currentNode
      const text = node.textContent?.trim() ?? ''
      const el = node.parentElement
      if (!text || !el || el.closest('[data-testid="map-legend"]') || el.getClientRects().length === 0) continue
      count++
      const size = Number.parseFloat(getComputedStyle(el).fontSize)
      if (!(size >= 20)) small.push(`${size}px "${text.slice(0, 30)}" <${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">`)
    }
    return { count, small }
  })
}

/** The rendered colour at (x, y) of the page, from a screenshot (the map's canvas keeps no buffer). */
async function pixelAt(page: Page, x: number, y: number): Promise<[number, number, number]> {
  const png = await page.screenshot({ clip: { x: Math.round(x) - 1, y: Math.round(y) - 1, width: 3, height: 3 } })
  return page.evaluate(async (b64) => {
    const img = new Image()
    img.src = `data:image/png;base64,${b64}`
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = img.width
    canvas.height = img.height
    const ctx = canvas.getContext('2d')!
    ctx.drawImage(img, 0, 0)
    const d = ctx.getImageData(1, 1, 1, 1).data
    return [d[0]!, d[1]!, d[2]!] as [number, number, number]
  }, png.toString('base64'))
}

/** CIE76 ΔE between two sRGB colours: about 2 is a just noticeable difference. */
function deltaE(a: readonly number[], b: readonly number[]): number {
  const lab = (rgb: readonly number[]) => {
    const [r, g, bl] = rgb.map((u) => {
      const c = u / 255
      return c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92
    }) as [number, number, number]
    const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116)
    const x = f((0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047)
    const y = f(0.2126 * r + 0.7152 * g + 0.0722 * bl)
    const z = f((0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883)
    return [116 * y - 16, 500 * (x - y), 200 * (y - z)]
  }
  const [p, q] = [lab(a), lab(b)]
  return Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!)
}

const rgbOf = (css: string) => (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number)

describe('the wall from five metres (1920×1080)', () => {
  it('sets no text under 20 px but the legend captions, and map labels at 16 px or more with a halo', async () => {
    const { page, errors, context } = await openWall(browser, busy)
    await settle(page)
    // Alerts, an urgent request and its alarm: every kind of panel row is on screen.
    for (const [i, kind] of (['manhole_anomaly', 'high_altitude_throwing'] as const).entries()) {
      const res = await postJson(busy, '/api/v1/alerts', { cameraId: `cam-type-${i}`, kind, confidence: 0.9, location: pointIn(geography, i === 0 ? '640106005' : '640106002') })
      expect(res.status).toBe(201)
    }
    const urgent = await postJson(busy, '/api/v1/requests', { id: 'type-urgent', source: 'hotline', category: 'safety_hazard', priority: 'urgent', location: pointIn(geography, '640106003') })
    expect(urgent.status).toBe(201)
    await page.locator('[data-testid="alarm-row"][data-alarm="urgent:type-urgent"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="ticker-row"][data-pinned="true"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="response-chart"] svg text').first().waitFor({ state: 'attached', timeout: LIVENESS_MS })

    const sizes = await textSizes(page)
    expect(sizes.count).toBeGreaterThan(80)
    console.info(JSON.stringify({ textNodesMeasured: sizes.count, under20px: sizes.small.length }))
    expect(sizes.small).toEqual([])
    // Map labels are canvas images: their type is set here, checked against the same rule.
    for (const style of Object.values(LABEL_STYLE)) {
      expect(style.size).toBeGreaterThanOrEqual(16)
      expect(style.halo).toBeGreaterThan(0)
    }
    expect(COUNT_FONT_SIZE).toBeGreaterThanOrEqual(16)
    await page.screenshot({ path: SHOT })
    expect(errors).toEqual([])
    await context.close()
  })

  it('shows every marker colour and symbol of the map in the legend, and the grid classes as the fill draws them', async () => {
    const { page, context } = await openWall(browser, busy)
    await settle(page)
    const found = await page.evaluate(() => {
      const style = window.__outpostMap!.getStyle()
      const colours = (value: unknown): string[] => {
        const out: string[] = []
        const walk = (v: unknown) => {
          if (typeof v === 'string' && /^#[0-9a-f]{6}$/i.test(v)) out.push(v.toLowerCase())
          else if (Array.isArray(v)) v.forEach(walk)
        }
        walk(value)
        return [...new Set(out)].sort()
      }
      const paint = (id: string, key: string) => colours((style.layers.find((l) => l.id === id) as { paint?: Record<string, unknown> } | undefined)?.paint?.[key])
      const legend = (layer: string) =>
        [...new Set(Array.from(document.querySelectorAll<HTMLElement>(`[data-testid="legend-symbol"][data-layer="${layer}"]`)).map((el) => (el.dataset.colour ?? '').toLowerCase()))]
          .filter(Boolean)
          .sort()
      const layerIds = style.layers.map((l) => l.id)
      return {
        layerIds,
        symbolLayers: [...new Set(Array.from(document.querySelectorAll<HTMLElement>('[data-testid="legend-symbol"]')).map((el) => el.dataset.layer))].sort(),
        requests: { map: paint('events-requests', 'circle-color'), legend: legend('events-requests') },
        clusters: { map: paint('events-request-clusters', 'circle-color'), legend: legend('events-request-clusters') },
        alerts: { map: paint('events-alert-halos', 'circle-color'), legend: legend('events-alert-halos') },
        workers: { map: paint('events-workers', 'circle-color'), legend: legend('events-workers') },
        trails: { map: paint('events-trails', 'line-color'), legend: legend('events-trails') },
        hotspots: { map: paint('hotspots-rings', 'circle-stroke-color'), legend: legend('hotspots-rings') },
        fill: {
          map: paint('grids-fill', 'fill-color'),
          legend: [...Array.from(document.querySelectorAll<HTMLElement>('[data-testid="legend-entry"], [data-testid="legend-no-data"]')).map((el) => (el.dataset.colour ?? '').toLowerCase())].sort(),
        },
      }
    })
    // Each live layer has its entry; the four priorities, both cluster colours, and so on, each.
    expect(found.symbolLayers).toEqual(['events-alert-halos', 'events-request-clusters', 'events-requests', 'events-trails', 'events-workers', 'heat', 'hotspots-rings'].sort())
    for (const key of ['requests', 'clusters', 'alerts', 'workers', 'trails', 'hotspots', 'fill'] as const) {
      expect(found[key].legend, key).toEqual(found[key].map)
    }
    expect(found.requests.legend).toHaveLength(4)
    expect(found.clusters.legend).toHaveLength(2)
    expect(found.fill.legend).toHaveLength(6)
    // Names are drawn over the markers, and street names are placed first (the upper layer).
    const at = (id: string) => found.layerIds.indexOf(id)
    for (const marker of ['events-requests', 'events-request-clusters', 'events-request-cluster-counts', 'events-workers', 'events-trails', 'hotspots-rings', 'hotspots-counts']) {
      expect(at('labels-grids'), marker).toBeGreaterThan(at(marker))
    }
    expect(at('labels-streets')).toBeGreaterThan(at('labels-communities'))
    expect(at('labels-communities')).toBeGreaterThan(at('labels-grids'))
    await context.close()
  })

  it('clusters the requests, with counts, at the zoom the district scene uses, and keeps the framed units clear of every panel', async () => {
    const { page, context } = await openWall(browser, busy)
    await settle(page)
    const [west, south, east, north] = units
      .filter((u) => u.level === 'grid')
      .map((u) => geometryBbox(u.geometry))
      .reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])])
    // The alarm panel grows with an alarm: the map frames again, clear of it.
    const urgent = await postJson(busy, '/api/v1/requests', { id: 'frame-urgent', source: 'hotline', category: 'safety_hazard', priority: 'urgent', location: pointIn(geography, '640106001') })
    expect(urgent.status).toBe(201)
    await page.locator('[data-testid="alarm-row"][data-alarm="urgent:frame-urgent"]').waitFor({ timeout: LIVENESS_MS })
    const clear = await page.waitForFunction(
      ({ box }) => {
        const m = window.__outpostMap!
        const r = m.getContainer().getBoundingClientRect()
        const a = m.project([box.west, box.north])
        const b = m.project([box.east, box.south])
        const units = { left: r.left + a.x, top: r.top + a.y, right: r.left + b.x, bottom: r.top + b.y }
        const overlays = Array.from(document.querySelectorAll<HTMLElement>('[data-map-overlay]'))
          .filter((el) => el.offsetParent !== null)
          .map((el) => ({ id: el.dataset.testid, rect: el.getBoundingClientRect() }))
        const hits = overlays.filter(({ rect: o }) => o.left < units.right - 0.5 && o.right > units.left + 0.5 && o.top < units.bottom - 0.5 && o.bottom > units.top + 0.5)
        return hits.length === 0 && overlays.length >= 2 ? { units, overlays: overlays.map((o) => o.id), zoom: m.getZoom() } : null
      },
      { box: { west, south, east, north } },
      { timeout: LIVENESS_MS },
    )
    const framed = (await clear.jsonValue())!
    expect(framed.overlays).toEqual(expect.arrayContaining(['alarm-panel', 'map-legend']))
    // The units still take a fair part of the map (not framed tiny to dodge the panels).
    expect(framed.units.bottom - framed.units.top).toBeGreaterThan(500)

    // Clusters: the district scene's zoom is within the source's clustering, and they are drawn with their count.
    expect(framed.zoom).toBeLessThanOrEqual(REQUEST_CLUSTER_MAX_ZOOM)
    const clusters = await page.waitForFunction(
      () => {
        const m = window.__outpostMap!
        const circles = m.queryRenderedFeatures({ layers: ['events-request-clusters'] })
        const counts = m.queryRenderedFeatures({ layers: ['events-request-cluster-counts'] })
        const singles = m.queryRenderedFeatures({ layers: ['events-requests'] })
        const open = Number(document.documentElement.dataset.mapEventCount)
        return circles.length > 0 && counts.length === circles.length
          ? { circles: circles.length, inClusters: circles.reduce((n, f) => n + Number(f.properties.point_count), 0), singles: singles.length, open }
          : null
      },
      undefined,
      { timeout: LIVENESS_MS },
    )
    const c = (await clusters.jsonValue())!
    // Most open requests are in a cluster, not a dot of their own over the others.
    expect(c.inClusters).toBeGreaterThan(c.singles)
    console.info(JSON.stringify({ sceneZoom: Math.round(framed.zoom * 100) / 100, clusters: c.circles, inClusters: c.inClusters, singles: c.singles }))
    await context.close()

    // A street scene clusters too; a community scene (whole zoom above the clustering) shows each request.
    for (const [scene, clustered] of [
      ['640106001', true],
      ['640106001001', false],
    ] as const) {
      const wall = await openWall(browser, busy, { path: `/wall?scene=${scene}` })
      await wall.page.waitForFunction((s) => document.querySelector('[data-testid="map"]')?.getAttribute('data-framed-unit') === s, scene, { timeout: LIVENESS_MS })
      const zoom = await wall.page.evaluate(() => window.__outpostMap!.getZoom())
      console.info(JSON.stringify({ scene, zoom: Math.round(zoom * 100) / 100 }))
      expect(Math.floor(zoom) <= REQUEST_CLUSTER_MAX_ZOOM, `${scene} at zoom ${zoom}`).toBe(clustered)
      await wall.context.close()
    }
  })

  it('keeps the last ticker row whole and the alert kind uncut in English, and shows the snapshot only through the server', async () => {
    const requested: string[] = []
    const { page, context, offsite } = await openWall(browser, busy, {
      path: '/wall?lang=en',
      beforeGoto: (p) => p.on('request', (r) => requested.push(r.url())),
    })
    await settle(page)
    // More news than the ticker holds.
    for (let i = 0; i < 24; i++) {
      const res = await postJson(busy, '/api/v1/requests', { id: `ticker-${i}`, source: 'grid_chat', category: 'environment', priority: 'general', location: pointIn(geography, '640106004') })
      expect(res.status).toBe(201)
    }
    // Two camera alerts with a snapshot: one on a camera the server may fetch from, one not.
    const post = async (kind: string, snapshotUrl: string, unit: string) => {
      const res = await postJson<{ id: string }>(busy, '/api/v1/alerts', { cameraId: `cam-${kind}`, kind, confidence: 0.88, snapshotUrl, location: pointIn(geography, unit) })
      expect(res.status).toBe(201)
      return res.body.id
    }
    const shown = await post('smoke_fire', `${cameraOrigin}/snap/000123.png`, '640106005')
    const refused = await post('manhole_anomaly', 'http://10.0.0.7/snap/000124.jpg', '640106006')
    const alertId = refused
    await page.locator(`[data-testid="alert-row"][data-alert="${alertId}"]`).waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="ticker-row"][data-seq]').nth(12).waitFor({ state: 'attached', timeout: LIVENESS_MS })

    const layout = await page.evaluate(() => {
      const list = document.querySelector('[data-testid="ticker"] ol.rolling')!.getBoundingClientRect()
      const rows = Array.from(document.querySelectorAll('[data-testid="ticker"] ol.rolling [data-testid="ticker-row"]')).map((el) => el.getBoundingClientRect())
      const shown = rows.filter((r) => r.left < list.right - 1)
      const kinds = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="alert-kind"]')).map((el) => ({ text: el.textContent, cut: el.scrollWidth > el.clientWidth + 1 }))
      return { list: { top: list.top, bottom: list.bottom }, shown: shown.map((r) => ({ top: r.top, bottom: r.bottom })), all: rows.length, kinds }
    })
    expect(layout.shown.length).toBeGreaterThan(3)
    // The rows that do not fit whole are out of sight, not cut at the panel's bottom.
    expect(layout.shown.length).toBeLessThan(layout.all)
    for (const r of layout.shown) expect(r.bottom).toBeLessThanOrEqual(layout.list.bottom + 0.5)
    expect(layout.kinds).toContainEqual({ text: 'Manhole cover anomaly', cut: false })
    for (const k of layout.kinds) expect(k.cut, k.text ?? '').toBe(false)

    // The snapshot comes through the server, with the session: the camera's image is shown…
    const image = page.locator(`[data-alert="${shown}"] [data-testid="alert-snapshot"]`)
    await image.waitFor({ timeout: LIVENESS_MS })
    await page.waitForFunction((id) => {
      const img = document.querySelector<HTMLImageElement>(`[data-alert="${id}"] [data-testid="alert-snapshot"]`)
      return img !== null && img.complete && img.naturalWidth === 64
    }, shown, { timeout: LIVENESS_MS })
    expect(await image.getAttribute('src')).toBe(`/api/v1/alerts/${shown}/snapshot`)
    expect(cameraHits).toContain('/snap/000123.png')
    // …one the server may not fetch answers 404, and its image is hidden, not a broken icon.
    await page.locator(`[data-alert="${refused}"] [data-testid="alert-snapshot"]`).waitFor({ state: 'detached', timeout: LIVENESS_MS })
    // Never a camera's address in the page or asked by the browser.
    expect(requested.some((u) => u.includes('10.0.0.7') || u.startsWith(cameraOrigin))).toBe(false)
    expect(offsite).toEqual([])
    const html = await page.content()
    expect(html).not.toContain('10.0.0.7')
    expect(html).not.toContain(cameraOrigin)
    await page.screenshot({ path: SHOT_EN })
    await context.close()
  })
})

describe('a quiet wall', () => {
  it('says what nothing means, and shrinks its empty panels', async () => {
    const { page, errors, context } = await openWall(browser, quiet)
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
    const text = await page.locator('[data-testid="wall"]').textContent()
    expect(text).not.toContain('等待实时数据')
    expect(await page.locator('[data-testid="alert-panel"]').textContent()).toContain('今日无待核告警 ✓')
    expect(await page.locator('[data-testid="alarm-panel"]').textContent()).toContain('✓')
    expect(await page.locator('[data-testid="ticker-empty"]').textContent()).toContain('✓')
    const heights = await page.evaluate(() => ({
      alerts: document.querySelector('[data-testid="alert-panel"]')!.getBoundingClientRect().height,
      alarms: document.querySelector('[data-testid="alarm-panel"]')!.getBoundingClientRect().height,
    }))
    expect(heights.alerts).toBeLessThan(140)
    expect(heights.alarms).toBeLessThan(140)
    expect(errors).toEqual([])
    await context.close()
  })

  for (const figure of ['coverage', 'perThousand', 'overdue'] as const) {
    it(`draws each ${figure} class in a colour of its own, the colour of its swatch`, async () => {
      const { page, context } = await openWall(browser, quiet, { path: `/wall?figure=${figure}` })
      await page.waitForFunction(() => document.documentElement.dataset.mapColouredGrids !== undefined, undefined, { timeout: LIVENESS_MS })
      const grids = units
        .filter((u) => u.level === 'grid')
        .map((u) => {
          const [w, s, e, n] = geometryBbox(u.geometry)
          return { id: u.id, w, s, e, n, parts: polygonsOf(u.geometry).length }
        })
        .filter((g) => g.parts === 1)
      const scale = COLOUR_SCALES[figure]
      // A value inside each class, then one grid left without a value (no data).
      const values: (number | null)[] = scale.colours.map((_, i) => (i === 0 ? (scale.breaks[0]! > 0 ? scale.breaks[0]! / 2 : 0) : scale.breaks[i - 1]!))
      values.push(null)
      const points = await page.evaluate(
        async ({ grids, values }) => {
          const m = window.__outpostMap!
          // Drawn once as it stands, so what is on screen can be asked.
          m.triggerRepaint()
          await new Promise((resolve) => m.once('idle', resolve))
          const box = m.getContainer().getBoundingClientRect()
          const overlays = Array.from(document.querySelectorAll('[data-map-overlay]')).map((el) => el.getBoundingClientRect())
          const candidates = grids
            .map((g) => {
              const a = m.project([g.w, g.n])
              const b = m.project([g.e, g.s])
              const x = (a.x + b.x) / 2
              const y = (a.y + b.y) / 2
              return { id: g.id, x, y, size: Math.min(b.x - a.x, b.y - a.y), sx: box.left + x, sy: box.top + y }
            })
            .filter((g) => g.size >= 20 && g.x > 0 && g.y > 0 && g.x < box.width && g.y < box.height)
            .filter((g) => !overlays.some((o) => g.sx > o.left - 4 && g.sx < o.right + 4 && g.sy > o.top - 4 && g.sy < o.bottom + 4))
            .filter((g) => {
              // The fill itself under the point: no name, marker or other grid's fill over it.
              const hits = m.queryRenderedFeatures([g.x, g.y])
              return hits.length > 0 && hits.every((f) => f.layer.id === 'grids-fill' || f.layer.id.endsWith('-line')) && hits.some((f) => f.layer.id === 'grids-fill' && String(f.id) === g.id)
            })
            .sort((p, q) => q.size - p.size)
          const chosen: typeof candidates = []
          for (const c of candidates) if (chosen.length < values.length && chosen.every((o) => Math.hypot(o.x - c.x, o.y - c.y) > 60)) chosen.push(c)
          m.removeFeatureState({ source: 'grids' })
          chosen.forEach((g, i) => {
            if (values[i] !== null) m.setFeatureState({ source: 'grids', id: g.id }, { value: values[i] })
          })
          m.triggerRepaint()
          await new Promise((resolve) => m.once('idle', resolve))
          const swatches = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="legend-swatch"]')).map((el) => getComputedStyle(el).backgroundColor)
          return { chosen: chosen.map((g) => ({ id: g.id, x: g.sx, y: g.sy })), swatches }
        },
        { grids, values },
      )
      expect(points.chosen).toHaveLength(values.length)
      expect(points.swatches).toHaveLength(values.length)
      const rendered: number[][] = []
      for (const p of points.chosen) rendered.push(await pixelAt(page, p.x, p.y))
      const report = rendered.map((c, i) => `${points.chosen[i]!.id}: rgb(${c.join(', ')}) swatch ${points.swatches[i]}`).join('\n')
      const pairs = rendered.flatMap((c, i) => rendered.slice(i + 1).map((d) => deltaE(c, d)))
      const toSwatch = rendered.map((c, i) => deltaE(c, rgbOf(points.swatches[i]!)))
      // One line for the README's figures: the closest two classes, the farthest from its swatch.
      console.info(JSON.stringify({ figure, minClassDeltaE: Math.round(Math.min(...pairs) * 10) / 10, maxSwatchDeltaE: Math.round(Math.max(...toSwatch) * 10) / 10 }))
      for (let i = 0; i < rendered.length; i++) {
        // Close to its swatch…
        expect(deltaE(rendered[i]!, rgbOf(points.swatches[i]!)), report).toBeLessThan(6)
        // …and far from every other class (ΔE 20: told apart at a glance).
        for (let j = i + 1; j < rendered.length; j++) expect(deltaE(rendered[i]!, rendered[j]!), `${i} vs ${j}\n${report}`).toBeGreaterThan(20)
      }
      await context.close()
    })
  }
})
