import { polygonsOf } from '../../shared/domain'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { fromWgs84 } from '../../shared/geo'
import { launchChromium, openWall } from '../helpers/browser'
import { sampleGeography } from '../helpers/build-app'
import { solidRasterArchive } from '../helpers/pmtiles'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'

/** The tiles' colour: nothing else on the wall is this orange. */
const TILE_RGB: [number, number, number] = [250, 140, 10]
const MAP_BACKGROUND_RGB = [0x0b, 0x13, 0x20]

let dir: string
let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
const geography = sampleGeography()

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-wall-basemap-'))
  // The district and a wide margin, at zooms 0–10; the wall's zoom (about 11) draws zoom 10 larger.
  const ring = polygonsOf(geography.district.geometry)[0]![0]!
  const box: [number, number, number, number] = [
    Math.min(...ring.map((p) => p[0])) - 1,
    Math.min(...ring.map((p) => p[1])) - 1,
    Math.max(...ring.map((p) => p[0])) + 1,
    Math.max(...ring.map((p) => p[1])) + 1,
  ]
  const file = join(dir, 'district.pmtiles')
  writeFileSync(file, solidRasterArchive(TILE_RGB, box, 0, 10))
  server = await serveBuiltApp({ basemap: { pmtiles: file, crs: 'gcj02' } })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** The colour on screen at a page point: a 1-pixel screenshot, decoded by the page itself. */
async function pixelAt(page: Page, x: number, y: number): Promise<number[]> {
  const png = await page.screenshot({ clip: { x, y, width: 1, height: 1 } })
  return page.evaluate(async (b64) => {
    const img = new Image()
    img.src = `data:image/png;base64,${b64}`
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = 1
    canvas.height = 1
    const ctx = canvas.getContext('2d')!
    ctx.drawImage(img, 0, 0)
    return Array.from(ctx.getImageData(0, 0, 1, 1).data.slice(0, 3))
  }, png.toString('base64'))
}

const near = (a: number[], b: number[], tolerance = 8) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance)

describe('a local PMTiles base map', () => {
  it('is read in byte ranges from this server and drawn under the overlays, which are shifted into its GCJ-02', async () => {
    const archive: { range: string | undefined; status: number }[] = []
    const { page, errors, offsite, context } = await openWall(browser, server, {
      beforeGoto: (p) =>
        p.on('requestfinished', (request) => {
          if (!new URL(request.url()).pathname.startsWith('/basemap/')) return
          void request.response().then((response) => archive.push({ range: request.headers().range, status: response?.status() ?? 0 }))
        }),
    })
    await page.waitForFunction(() => document.documentElement.dataset.mapBasemap === 'pmtiles', undefined, { timeout: LIVENESS_MS })

    // The base map lies under every overlay.
    const layerIds = await page.evaluate(() => window.__outpostMap!.getStyle().layers.map((l) => l.id))
    expect(layerIds.indexOf('basemap')).toBeGreaterThan(layerIds.indexOf('background'))
    expect(layerIds.indexOf('basemap')).toBeLessThan(layerIds.indexOf('grids-fill'))

    // The wall frames the district, all grids; half a degree west of it there is only the base map.
    const west = Math.min(...polygonsOf(geography.district.geometry)[0]![0]!.map((p) => p[0]!)) - 0.5
    const spot = await page.evaluate(async (lon) => {
      const map = window.__outpostMap!
      // Ask what is drawn there only once the map has drawn the new view (labels are placed
      // again after the move; before that a label of the old view can still be hit).
      const idle = new Promise((resolve) => map.once('idle', resolve))
      map.jumpTo({ center: [lon, map.getCenter().lat] })
      await idle
      const canvas = map.getCanvas()
      const rect = canvas.getBoundingClientRect()
      const x = rect.width / 2
      const y = rect.height / 3
      return { x: rect.left + x, y: rect.top + y, features: map.queryRenderedFeatures([x, y]).length, onCanvas: document.elementFromPoint(rect.left + x, rect.top + y) === canvas }
    }, west)
    expect(spot).toMatchObject({ features: 0, onCanvas: true })
    // Tiles arrive and are drawn in their own time: poll the pixel, do not time it.
    let colour: number[] = []
    await expect
      .poll(
        async () => {
          colour = await pixelAt(page, spot.x, spot.y)
          return near(colour, TILE_RGB)
        },
        { timeout: LIVENESS_MS, interval: 250 },
      )
      .toBe(true)
    expect(near(colour, MAP_BACKGROUND_RGB)).toBe(false)

    // Every read of the archive was a byte range, answered 206.
    expect(archive.length).toBeGreaterThanOrEqual(2)
    for (const r of archive) {
      expect(r.range).toMatch(/^bytes=\d+-\d+$/)
      expect(r.status).toBe(206)
    }

    // The project's WGS84 grids are drawn in the base map's GCJ-02, as with a style URL.
    const gridId = geography.units.find((u) => u.level === 'grid')!.id
    const drawn = await page.evaluate((id) => {
      const source = window.__outpostMap!.getSource('grids') as unknown as { serialize(): { data: { features: { id?: string; properties: { id: string }; geometry: { coordinates: number[][][] } }[] } } }
      return source.serialize().data.features.find((f) => f.properties.id === id)!.geometry.coordinates[0]![0]!
    }, gridId)
    const [lon, lat] = polygonsOf(geography.get(gridId)!.geometry)[0]![0]![0]!
    const expected = fromWgs84({ lon: lon!, lat: lat! }, 'gcj02')
    expect(drawn[0]).toBeCloseTo(expected.lon, 9)
    expect(drawn[1]).toBeCloseTo(expected.lat, 9)
    expect(Math.abs(drawn[0]! - lon!) + Math.abs(drawn[1]! - lat!)).toBeGreaterThan(0.001)

    expect(offsite).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})
