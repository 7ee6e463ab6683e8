// GET /api/v1/alerts/:id/snapshot against a real camera: an HTTP server on port 0 that serves a real
// JPEG and PNG, and misbehaves (slow, huge, lying about its type, redirecting). The snapshot URL
// comes from an ingest key, so every way it could make the server fetch what it should not is tried.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, pointIn, type TestApp, type TestUser } from '../../helpers/build-app'
import { solidPng } from '../../helpers/pmtiles'
import { SnapshotFetcher, looksLike, type SnapshotSource } from '../../../server/snapshots/fetcher'
import { alertSnapshotPath } from '../../../shared/snapshots'

const STREET_A = '640106001'
const STREET_B = '640106002'
const LEADER_A: TestUser = { username: 'leader-a', password: 'leader-pass-a', role: 'leader', unit: STREET_A }
const LEADER_B: TestUser = { username: 'leader-b', password: 'leader-pass-b', role: 'leader', unit: STREET_B }

/** A real 1×1 baseline JPEG. */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
)
const PNG = solidPng([200, 40, 40], 16)
const MAX_BYTES = 64 * 1024
const HUGE = 4 * 1024 * 1024
/** What the camera would send of an endless image; it is cut off after a few MiB of socket buffers at most. */
const ENDLESS = 64 * 1024 * 1024
const TIMEOUT_MS = 400

/** A camera (NVR) on the LAN: what it was asked for, and how much of the huge image it wrote. */
class Camera {
  readonly hits = new Map<string, number>()
  connections = 0
  hugeWritten = 0
  server: Server
  origin = ''

  constructor(routes: Record<string, (res: ServerResponse, req: IncomingMessage) => void>) {
    this.server = createServer((req, res) => {
      const path = req.url ?? ''
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1)
      const route = routes[path.split('?')[0]!]
      if (route) route(res, req)
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such snapshot')
    })
    this.server.on('connection', () => this.connections++)
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  close(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

const image = (type: string, bytes: Buffer) => (res: ServerResponse) => res.writeHead(200, { 'content-type': type, 'content-length': bytes.length }).end(bytes)

const camera: Camera = new Camera({
  '/ok.jpg': image('image/jpeg', JPEG),
  '/ok.png': image('image/png; charset=binary', PNG),
  '/shared.png': image('image/png', PNG),
  '/wall.png': image('image/png', PNG),
  '/slow.jpg': (res) => setTimeout(() => !res.destroyed && image('image/jpeg', JPEG)(res), 5_000),
  // Headers at once, then the body stalls: the deadline covers the whole answer, not its start.
  '/trickle.jpg': (res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg' })
    res.write(JPEG.subarray(0, 4))
  },
  // Chunked, no length: the cap is found while reading, and the camera is cut off.
  '/huge.jpg': (res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg' })
    const piece = Buffer.concat([JPEG, Buffer.alloc(64 * 1024 - JPEG.length)])
    const write = () => {
      while (camera.hugeWritten < ENDLESS && !res.destroyed) {
        camera.hugeWritten += piece.length
        if (!res.write(piece)) return void res.once('drain', write)
      }
      if (!res.destroyed) res.end()
    }
    write()
  },
  '/huge-declared.jpg': (res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': HUGE })
    res.write(JPEG)
  },
  '/page.jpg': image('text/html', Buffer.from('<!doctype html><script>alert(1)</script>')),
  '/svg.png': image('image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')),
  '/lie.png': image('image/png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')),
  '/redirect.jpg': (res) => res.writeHead(302, { location: '/redirect-target.jpg' }).end(),
  '/redirect-target.jpg': image('image/jpeg', JPEG),
})
/** A host on the LAN the center did not list: it must never be contacted. */
const unlisted = new Camera({ '/ok.jpg': image('image/jpeg', JPEG) })
/** A camera that takes 600 ms for each picture (the bound on fetches in flight). */
const slowCamera = new Camera({
  '/slow-a.jpg': (res) => setTimeout(() => image('image/jpeg', JPEG)(res), 600),
  '/slow-b.jpg': (res) => setTimeout(() => image('image/jpeg', JPEG)(res), 600),
})

let t: TestApp
let busy: TestApp
let leaderA = ''
let leaderB = ''
const dir = mkdtempSync(join(tmpdir(), 'outpost-snapshot-'))

/** Raises an alert in a street, with a snapshot URL, through the ingest key. */
async function raise(app: TestApp, id: string, snapshotUrl: string | undefined, street = STREET_A): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/alerts',
    headers: { cookie: '' },
    payload: { id, cameraId: 'cam-1', kind: 'smoke_fire', confidence: 0.9, location: pointIn(app.geography, street), ...(snapshotUrl ? { snapshotUrl } : {}) },
  })
  if (res.statusCode !== 201) throw new Error(`raise ${id}: ${res.statusCode} ${res.body}`)
}

const read = (id: string, cookie = t.headers.cookie, app = t) => app.app.inject({ method: 'GET', url: alertSnapshotPath(id), headers: { cookie } })

beforeAll(async () => {
  await Promise.all([camera.start(), unlisted.start(), slowCamera.start()])
  // A built client stand-in, for paths of this server.
  const clientDir = join(dir, 'client')
  mkdirSync(join(clientDir, 'snaps'), { recursive: true })
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>outpost</title>')
  writeFileSync(join(clientDir, 'snaps', 'local.png'), PNG)
  writeFileSync(join(clientDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  t = await buildTestApp({
    users: [LEADER_A, LEADER_B],
    clientDir,
    snapshots: { origins: [camera.origin], timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES },
  })
  leaderA = await t.login(LEADER_A)
  leaderB = await t.login(LEADER_B)
  busy = await buildTestApp({ snapshots: { origins: [slowCamera.origin], maxInFlight: 1, maxWaiting: 0 } })
})

afterAll(async () => {
  await t?.close()
  await busy?.close()
  await Promise.all([camera.close(), unlisted.close(), slowCamera.close()])
  rmSync(dir, { recursive: true, force: true })
})

describe('GET /api/v1/alerts/:id/snapshot', () => {
  it('serves a listed camera’s JPEG with its type, private caching and nosniff, fetched once for many reads', async () => {
    await raise(t, 'jpg-1', `${camera.origin}/ok.jpg`)
    await raise(t, 'jpg-2', `${camera.origin}/ok.jpg`) // another alert, the same picture
    const res = await read('jpg-1')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('image/jpeg')
    expect(res.headers['cache-control']).toBe('private, max-age=300')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.rawPayload.equals(JPEG)).toBe(true)
    const again = await read('jpg-1', leaderA)
    const other = await read('jpg-2')
    expect([again.statusCode, other.statusCode]).toEqual([200, 200])
    expect(again.rawPayload.equals(JPEG)).toBe(true)
    expect(camera.hitsOf('/ok.jpg')).toBe(1)
    // HEAD: the headers without the image.
    const head = await t.app.inject({ method: 'HEAD', url: alertSnapshotPath('jpg-1'), headers: { cookie: t.headers.cookie } })
    expect(head.statusCode).toBe(200)
    expect(head.headers['content-type']).toBe('image/jpeg')
    expect(head.rawPayload.length).toBe(0)
  })

  it('a wall of 50 screens asking at once costs one fetch', async () => {
    await raise(t, 'wall-1', `${camera.origin}/wall.png`)
    const replies = await Promise.all(Array.from({ length: 50 }, () => read('wall-1')))
    expect(replies.map((r) => r.statusCode)).toEqual(Array(50).fill(200))
    expect(replies.every((r) => r.headers['content-type'] === 'image/png' && r.rawPayload.equals(PNG))).toBe(true)
    expect(camera.hitsOf('/wall.png')).toBe(1)
  })

  it('passes PNG with parameters in its content type', async () => {
    await raise(t, 'png-1', `${camera.origin}/ok.png`)
    const res = await read('png-1')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('image/png')
    expect(res.rawPayload.equals(PNG)).toBe(true)
  })

  it('never contacts an origin the center did not list, however the URL is written', async () => {
    const port = new URL(unlisted.origin).port
    const urls = [
      `${unlisted.origin}/ok.jpg`,
      `http://localhost:${port}/ok.jpg`,
      `http://[::ffff:127.0.0.1]:${port}/ok.jpg`,
      `//127.0.0.1:${port}/ok.jpg`,
      `/\\127.0.0.1:${port}/ok.jpg`,
      `https://127.0.0.1:${port}/ok.jpg`,
      // The listed host with credentials, or another port of it.
      `http://user:pw@${camera.origin.slice(7)}/ok.jpg`,
      `http://127.0.0.1:${port}@${camera.origin.slice(7)}/ok.jpg`,
    ]
    for (const [i, url] of urls.entries()) {
      await raise(t, `unlisted-${i}`, url)
      const res = await read(`unlisted-${i}`)
      expect(res.statusCode, url).toBe(404)
      expect(res.json(), url).toMatchObject({ statusCode: 404, error: 'Not Found', field: 'params/id', rule: 'snapshot' })
      expect(res.headers['cache-control'], url).toBe('no-store')
    }
    expect(unlisted.connections).toBe(0)
  })

  it('serves a path of this server as any visitor would get it, and only images', async () => {
    await raise(t, 'local-png', '/snaps/local.png')
    const res = await read('local-png')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('image/png')
    expect(res.rawPayload.equals(PNG)).toBe(true)
    // An SVG (it can carry script), a page, the API (a snapshot URL must not make the server read it
    // with anyone's session), a missing file: none is a snapshot.
    for (const [id, url] of [
      ['local-svg', '/favicon.svg'],
      ['local-page', '/wall'],
      ['local-api', '/api/v1/health'],
      ['local-api-escaped', '/%61pi/v1/health'],
      ['local-self', `/api/v1/alerts/local-png/snapshot`],
      ['local-missing', '/snaps/none.png'],
      ['local-up', '/../../../etc/passwd'],
    ] as const) {
      await raise(t, id, url)
      const refused = await read(id)
      expect(refused.statusCode, url).toBe(404)
      expect(refused.json(), url).toMatchObject({ field: 'params/id', rule: 'snapshot' })
    }
  })

  it('gives up on a camera that does not answer in time, quickly', async () => {
    await raise(t, 'slow', `${camera.origin}/slow.jpg`)
    await raise(t, 'trickle', `${camera.origin}/trickle.jpg`)
    for (const id of ['slow', 'trickle']) {
      const started = Date.now()
      const res = await read(id)
      const took = Date.now() - started
      expect(res.statusCode, id).toBe(404)
      expect(res.json().message, id).toContain(`within ${TIMEOUT_MS} ms`)
      expect(took, id).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
      expect(took, id).toBeLessThan(TIMEOUT_MS + 1_000)
    }
    // The failure is remembered for a while: the next screen does not wait again.
    const started = Date.now()
    expect((await read('slow')).statusCode).toBe(404)
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS / 2)
    expect(camera.hitsOf('/slow.jpg')).toBe(1)
  })

  it('refuses an image over the cap, cutting the camera off', async () => {
    await raise(t, 'huge', `${camera.origin}/huge.jpg`)
    await raise(t, 'huge-declared', `${camera.origin}/huge-declared.jpg`)
    const res = await read('huge')
    expect(res.statusCode).toBe(404)
    expect(res.json().message).toContain(`more than ${MAX_BYTES} bytes`)
    // The camera was cut off long before it had written its 64 MiB (what it got rid of sits in socket buffers).
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(camera.hugeWritten).toBeLessThan(ENDLESS / 4)
    const declared = await read('huge-declared')
    expect(declared.statusCode).toBe(404)
    expect(declared.json().message).toContain(`${HUGE} bytes, more than ${MAX_BYTES}`)
  })

  it('refuses what is not a JPEG, PNG or WebP, by its content type and by its bytes', async () => {
    for (const [id, path, words] of [
      ['page', '/page.jpg', 'text/html'],
      ['svg', '/svg.png', 'image/svg+xml'],
      ['lie', '/lie.png', 'the bytes are not a image/png'],
      ['missing', '/missing.jpg', 'answered 404'],
    ] as const) {
      await raise(t, id, `${camera.origin}${path}`)
      const res = await read(id)
      expect(res.statusCode, id).toBe(404)
      expect(res.headers['content-type'], id).toMatch(/application\/json/)
      expect(res.json().message, id).toContain(words)
    }
  })

  it('does not follow a redirect', async () => {
    await raise(t, 'redirect', `${camera.origin}/redirect.jpg`)
    const res = await read('redirect')
    expect(res.statusCode).toBe(404)
    expect(res.json().message).toContain('302, a redirect, which is not followed')
    expect(camera.hitsOf('/redirect-target.jpg')).toBe(0)
  })

  it('answers 404 outside the scope, as for an unknown alert, and 401 without a session', async () => {
    await raise(t, 'in-b', `${camera.origin}/shared.png`, STREET_B)
    const outside = await read('in-b', leaderA)
    const unknown = await read('no-such-alert', leaderA)
    expect(outside.statusCode).toBe(404)
    expect(outside.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'alert in-b not found', field: 'params/id', rule: 'exists' })
    expect(unknown.json()).toMatchObject({ field: 'params/id', rule: 'exists' })
    // Nothing was fetched for the leader who may not see it.
    expect(camera.hitsOf('/shared.png')).toBe(0)
    expect((await read('in-b', leaderB)).statusCode).toBe(200)
    expect((await read('in-b')).statusCode).toBe(200)
    const anonymous = await t.app.inject({ method: 'GET', url: alertSnapshotPath('in-b') })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json()).toMatchObject({ field: 'header/cookie', rule: 'authenticated' })
    // An ingest key reads no snapshot: reads are for people.
    const key = await t.app.inject({ method: 'GET', url: alertSnapshotPath('in-b'), headers: { authorization: t.headers.authorization } })
    expect(key.statusCode).toBe(401)
  })

  it('answers 404 naming the rule for an alert without a snapshot', async () => {
    await raise(t, 'bare', undefined)
    const res = await read('bare')
    expect(res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'alert bare has no snapshot', field: 'params/id', rule: 'snapshot' })
  })

  it('bounds the fetches in flight: past the slots and the queue, a 503 with Retry-After', async () => {
    await raise(busy, 'slow-a', `${slowCamera.origin}/slow-a.jpg`)
    await raise(busy, 'slow-b', `${slowCamera.origin}/slow-b.jpg`)
    const first = read('slow-a', busy.headers.cookie, busy)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const second = await read('slow-b', busy.headers.cookie, busy)
    expect(second.statusCode).toBe(503)
    expect(second.headers['retry-after']).toBe('1')
    expect(second.json()).toMatchObject({ statusCode: 503, error: 'Service Unavailable', field: 'params/id', rule: 'busy' })
    expect((await first).statusCode).toBe(200)
    // The slot is free again.
    expect((await read('slow-b', busy.headers.cookie, busy)).statusCode).toBe(200)
  })
})

describe('the snapshot cache and queue', () => {
  const noLocal = (): Promise<SnapshotSource> => Promise.reject(new Error('no local source here'))

  it('keeps at most its bytes, dropping the least recently used, and forgets an image after its time', async () => {
    let now = 0
    const url = (name: string) => `${camera.origin}/ok.png?${name}`
    // Room for two PNGs (and their URLs), not three.
    const fetcher = new SnapshotFetcher({ origins: [camera.origin], cacheBytes: 2 * (PNG.length + url('a').length) + 10 }, noLocal, () => now)
    const hits = () => camera.hitsOf('/ok.png?a') + camera.hitsOf('/ok.png?b') + camera.hitsOf('/ok.png?c')
    for (const name of ['a', 'b', 'a', 'c']) expect((await fetcher.get(url(name))).ok).toBe(true)
    expect(hits()).toBe(3) // a, b, c; the second a from the cache
    // b was the least recently used when c came: it is fetched again, a is still there.
    await fetcher.get(url('a'))
    expect(hits()).toBe(3)
    await fetcher.get(url('b'))
    expect(camera.hitsOf('/ok.png?b')).toBe(2)
    // Ten minutes later the cached image is fetched again.
    now += 10 * 60_000
    await fetcher.get(url('b'))
    expect(camera.hitsOf('/ok.png?b')).toBe(3)
    expect(fetcher.fetches).toBe(5)
  })

  it('lets a fetch wait briefly for a slot, then refuses it', async () => {
    const fetcher = new SnapshotFetcher({ origins: [slowCamera.origin], maxInFlight: 1, maxWaiting: 1, waitMs: 100 }, noLocal)
    const first = fetcher.get(`${slowCamera.origin}/slow-a.jpg?1`)
    const second = fetcher.get(`${slowCamera.origin}/slow-a.jpg?2`)
    // The queue (one) is full: refused at once.
    await expect(fetcher.get(`${slowCamera.origin}/slow-a.jpg?3`)).rejects.toThrow('already wait')
    // The one waiting gives up after 100 ms, long before the first is done.
    await expect(second).rejects.toThrow('no slot within 100 ms')
    expect((await first).ok).toBe(true)
    // Waiting long enough, it gets the slot.
    const patient = new SnapshotFetcher({ origins: [slowCamera.origin], maxInFlight: 1, maxWaiting: 1, waitMs: 3_000 }, noLocal)
    const results = await Promise.all([patient.get(`${slowCamera.origin}/slow-b.jpg?1`), patient.get(`${slowCamera.origin}/slow-b.jpg?2`)])
    expect(results.map((r) => r.ok)).toEqual([true, true])
  })

  it('knows the three images by their first bytes', () => {
    expect(looksLike('image/jpeg', JPEG)).toBe(true)
    expect(looksLike('image/png', PNG)).toBe(true)
    expect(looksLike('image/webp', Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe(true)
    expect(looksLike('image/png', JPEG)).toBe(false)
    expect(looksLike('image/jpeg', PNG)).toBe(false)
    expect(looksLike('image/webp', Buffer.from('RIFF\x10\x00\x00\x00WAVE', 'latin1'))).toBe(false)
  })
})
