import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PMTiles, TileType, type Source } from 'pmtiles'
import { parseRange } from '../../../server/basemap/range'
import { checkPmtilesArchive } from '../../../server/basemap/archive'
import { buildTestApp, startTestServer, type TestApp } from '../../helpers/build-app'
import { solidPng, solidRasterArchive, writePmtiles } from '../../helpers/pmtiles'

const DISTRICT_BOX: [number, number, number, number] = [105.9, 38.3, 106.4, 38.7]

/** Reads an archive held in memory, as pmtiles' FetchSource reads one over HTTP. */
function bufferSource(bytes: Buffer): Source {
  return {
    getKey: () => 'memory',
    getBytes: async (offset, length) => ({ data: bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + Math.min(bytes.length, offset + length)) as ArrayBuffer }),
  }
}

describe('the test PMTiles writer', () => {
  it('writes an archive that pmtiles itself reads back: header, metadata and each tile', async () => {
    const red = solidPng([255, 0, 0], 4)
    const blue = solidPng([0, 0, 255], 4)
    const bytes = writePmtiles({
      tileType: TileType.Png,
      tiles: [
        { z: 0, x: 0, y: 0, data: red },
        { z: 1, x: 1, y: 0, data: blue },
        { z: 1, x: 0, y: 1, data: red },
      ],
      metadata: { name: 'three tiles' },
      bounds: DISTRICT_BOX,
    })
    const archive = new PMTiles(bufferSource(bytes))
    const header = await archive.getHeader()
    expect(header).toMatchObject({ specVersion: 3, tileType: TileType.Png, minZoom: 0, maxZoom: 1, numTileEntries: 3, numTileContents: 2 })
    expect(header.minLon).toBeCloseTo(105.9, 6)
    expect(header.maxLat).toBeCloseTo(38.7, 6)
    expect(await archive.getMetadata()).toEqual({ name: 'three tiles' })
    expect(Buffer.from((await archive.getZxy(0, 0, 0))!.data)).toEqual(red)
    expect(Buffer.from((await archive.getZxy(1, 1, 0))!.data)).toEqual(blue)
    expect(Buffer.from((await archive.getZxy(1, 0, 1))!.data)).toEqual(red)
    expect(await archive.getZxy(1, 1, 1)).toBeUndefined()
  })
})

describe('parseRange', () => {
  const size = 1000
  it.each([
    [undefined, { kind: 'full' }],
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=500-', { kind: 'partial', start: 500, end: 999 }],
    ['bytes=900-5000', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=999-999', { kind: 'partial', start: 999, end: 999 }],
    ['Bytes = 0-0', { kind: 'partial', start: 0, end: 0 }],
    ['items=0-10', { kind: 'full' }],
    ['bytes=0-1,5-6', { kind: 'full' }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=1000-1001', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-2', { kind: 'unsatisfiable' }],
    ['bytes=abc', { kind: 'unsatisfiable' }],
    ['bytes=-', { kind: 'unsatisfiable' }],
    ['bytes=0-1,x', { kind: 'unsatisfiable' }],
  ])('%s → %o', (header, expected) => {
    expect(parseRange(header, size)).toEqual(expected)
  })
})

describe('the base map archive check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-pmtiles-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const file = (name: string, bytes: Buffer | string) => {
    const path = join(dir, name)
    writeFileSync(path, bytes)
    return path
  }

  it('accepts a v3 raster archive and says what it holds', () => {
    const path = file('ok.pmtiles', solidRasterArchive([1, 2, 3], DISTRICT_BOX, 0, 3))
    expect(checkPmtilesArchive(path)).toMatchObject({ tileType: 'png', minZoom: 0, maxZoom: 3 })
  })

  it('refuses what is not a usable v3 archive, saying why', () => {
    const good = solidRasterArchive([1, 2, 3], DISTRICT_BOX, 0, 1)
    const v2 = Buffer.from(good)
    v2.writeUInt8(2, 7)
    const avif = Buffer.from(good)
    avif.writeUInt8(TileType.Avif, 99)
    expect(() => checkPmtilesArchive(join(dir, 'missing.pmtiles'))).toThrow(/does not exist/)
    expect(() => checkPmtilesArchive(dir)).toThrow(/is not a file/)
    expect(() => checkPmtilesArchive(file('short.pmtiles', 'PMTiles'))).toThrow(/too short/)
    expect(() => checkPmtilesArchive(file('mbtiles.pmtiles', Buffer.alloc(4096, 1)))).toThrow(/not a PMTiles archive/)
    expect(() => checkPmtilesArchive(file('v2.pmtiles', v2))).toThrow(/PMTiles v2 archive; only v3/)
    expect(() => checkPmtilesArchive(file('avif.pmtiles', avif))).toThrow(/tiles of type 5/)
    expect(() => checkPmtilesArchive(file('cut.pmtiles', good.subarray(0, good.length - 10)))).toThrow(/truncated: its tile data ends/)
  })
})

describe('GET /basemap/base.pmtiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-pmtiles-route-'))
  const bytes = solidRasterArchive([200, 30, 160], DISTRICT_BOX, 0, 4)
  const path = join(dir, 'district.pmtiles')
  writeFileSync(path, bytes)
  let t: TestApp
  const size = bytes.length

  beforeAll(async () => {
    t = await buildTestApp({ basemap: { pmtiles: path, crs: 'gcj02' } })
  })
  afterAll(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const get = (headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') => t.inject({ method, url: '/basemap/base.pmtiles', headers })

  it('tells the wall where the archive is and its coordinate system, never the path on disk', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/v1/config' })
    expect(res.json().basemap).toEqual({ pmtiles: '/basemap/base.pmtiles', crs: 'gcj02' })
    expect(res.body).not.toContain(dir)
  })

  it('sends the whole file without a Range, with its validators', async () => {
    const res = await get()
    expect(res.statusCode).toBe(200)
    expect(res.rawPayload.equals(bytes)).toBe(true)
    expect(res.headers).toMatchObject({ 'accept-ranges': 'bytes', 'content-length': String(size), 'content-type': 'application/vnd.pmtiles' })
    expect(res.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/)
    expect(Date.parse(String(res.headers['last-modified']))).toBeGreaterThan(0)
  })

  it('sends a part: first bytes, an open end, a suffix, an end past the file', async () => {
    const cases: [string, number, number][] = [
      ['bytes=0-126', 0, 126],
      ['bytes=100-', 100, size - 1],
      ['bytes=-50', size - 50, size - 1],
      ['bytes=0-16383', 0, size - 1],
    ]
    for (const [range, start, end] of cases) {
      const res = await get({ range })
      expect(res.statusCode, range).toBe(206)
      expect(res.headers['content-range'], range).toBe(`bytes ${start}-${end}/${size}`)
      expect(res.headers['content-length'], range).toBe(String(end - start + 1))
      expect(res.rawPayload.equals(bytes.subarray(start, end + 1)), range).toBe(true)
    }
  })

  it('answers 416 with the size for a range it cannot satisfy', async () => {
    for (const range of [`bytes=${size}-`, 'bytes=9-3', 'bytes=-0', 'bytes=x-y']) {
      const res = await get({ range })
      expect(res.statusCode, range).toBe(416)
      expect(res.headers['content-range'], range).toBe(`bytes */${size}`)
      expect(res.json()).toMatchObject({ field: 'header/range' })
    }
  })

  it('answers HEAD with the headers of the GET and no body', async () => {
    const full = await get({}, 'HEAD')
    expect(full.statusCode).toBe(200)
    expect(full.headers['content-length']).toBe(String(size))
    expect(full.rawPayload.length).toBe(0)
    const part = await get({ range: 'bytes=10-19' }, 'HEAD')
    expect(part.statusCode).toBe(206)
    expect(part.headers).toMatchObject({ 'content-range': `bytes 10-19/${size}`, 'content-length': '10' })
    expect(part.rawPayload.length).toBe(0)
  })

  it('answers 304 to a matching ETag or date, and ignores a Range whose If-Range no longer matches', async () => {
    const { etag, 'last-modified': lastModified } = (await get()).headers as Record<string, string>
    expect((await get({ 'if-none-match': etag! })).statusCode).toBe(304)
    expect((await get({ 'if-none-match': '"other"' })).statusCode).toBe(200)
    expect((await get({ 'if-modified-since': lastModified! })).statusCode).toBe(304)
    expect((await get({ range: 'bytes=0-9', 'if-range': etag! })).statusCode).toBe(206)
    const stale = await get({ range: 'bytes=0-9', 'if-range': '"stale"' })
    expect(stale.statusCode).toBe(200)
    expect(stale.rawPayload.length).toBe(size)
  })

  it('needs a session, and validates its query', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/basemap/base.pmtiles' })).statusCode).toBe(401)
    const res = await t.inject({ method: 'GET', url: '/basemap/base.pmtiles?x=1' })
    expect(res.statusCode).toBe(400)
    expect(res.json().field).toBe('query/x')
  })

  it('serves real range requests over a socket, as a browser sends them', async () => {
    const server = await startTestServer({ basemap: { pmtiles: path, crs: 'wgs84' } })
    try {
      const res = await fetch(`${server.url}/basemap/base.pmtiles`, { headers: { cookie: server.headers.cookie, range: 'bytes=0-126' } })
      expect(res.status).toBe(206)
      expect(Buffer.from(await res.arrayBuffer()).toString('latin1', 0, 7)).toBe('PMTiles')
    } finally {
      await server.close()
    }
  })

  it('is not there without a PMTiles base map', async () => {
    const plain = await buildTestApp()
    try {
      expect((await plain.inject({ method: 'GET', url: '/basemap/base.pmtiles' })).statusCode).toBe(404)
    } finally {
      await plain.close()
    }
  })
})
