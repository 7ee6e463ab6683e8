// Camera snapshots, fetched by the server for the pages (server/routes/alerts/snapshot.ts). The URL
// comes from whoever raised the alert, an ingest key, so it is treated as an attacker's (SSRF): only
// the origins the center lists (OUTPOST_SNAPSHOT_ORIGINS) or a path of this server, never a
// redirect, within a deadline and a size cap, three image types checked by header and by their first
// bytes, a bounded number of fetches at once, and a small cache so that fifty walls cost one fetch.
import http from 'node:http'
import https from 'node:https'
import type { Readable } from 'node:stream'

export const SNAPSHOT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const
export type SnapshotType = (typeof SNAPSHOT_TYPES)[number]

export interface SnapshotImage {
  type: SnapshotType
  bytes: Buffer
}

export type SnapshotResult = { ok: true; image: SnapshotImage } | { ok: false; reason: string }

export interface SnapshotOptions {
  /** Bare origins the server may fetch from (OUTPOST_SNAPSHOT_ORIGINS); none: paths of this server only. */
  origins?: readonly string[]
  /** The whole fetch, connection to last byte (ms). */
  timeoutMs?: number
  /** Bytes an image may have; a larger one is aborted as soon as it is seen to be larger. */
  maxBytes?: number
  /** Fetches at once in this process. */
  maxInFlight?: number
  /** Fetches that may wait for a slot; one more is refused at once. */
  maxWaiting?: number
  /** How long a fetch waits for a slot before it is refused (ms). */
  waitMs?: number
  /** Bytes the cache holds, least recently used dropped first. */
  cacheBytes?: number
  /** How long an image is served from the cache (ms). */
  cacheTtlMs?: number
  /** How long a failure is remembered, so a dead camera is not asked again by every screen (ms). */
  failureTtlMs?: number
}

export const SNAPSHOT_DEFAULTS: Required<Omit<SnapshotOptions, 'origins'>> = {
  timeoutMs: 3_000,
  maxBytes: 2 * 1024 * 1024,
  maxInFlight: 4,
  maxWaiting: 32,
  waitMs: 2_000,
  cacheBytes: 16 * 1024 * 1024,
  cacheTtlMs: 10 * 60_000,
  failureTtlMs: 30_000,
}

/** An answer being read: from a camera over HTTP, or from this app itself. */
export interface SnapshotSource {
  status: number
  headers: Readonly<Record<string, string | string[] | number | undefined>>
  body: Readable
}

/** How a path of this server is read: the app itself, asked without a session. */
export type LocalSnapshotSource = (path: string, signal: AbortSignal) => Promise<SnapshotSource>

/** Every slot is taken and the queue is full, or the wait for a slot ran out: answer 503. */
export class SnapshotBusyError extends Error {}

type Target = { local: string } | { remote: URL } | { refused: string }

interface CacheEntry {
  result: SnapshotResult
  size: number
  expires: number
}

/** What a failure costs in the cache besides its URL. */
const FAILURE_SIZE = 256

export class SnapshotFetcher {
  private readonly o: Required<Omit<SnapshotOptions, 'origins'>>
  private readonly origins: ReadonlySet<string>
  private readonly cache = new Map<string, CacheEntry>()
  private cachedBytes = 0
  private readonly pending = new Map<string, Promise<SnapshotResult>>()
  private inFlight = 0
  private readonly waiting: (() => void)[] = []
  private readonly controllers = new Set<AbortController>()
  /** Fetches that reached a source (cache misses past the origin check). */
  fetches = 0

  constructor(
    options: SnapshotOptions,
    private readonly local: LocalSnapshotSource,
    private readonly now: () => number = Date.now,
  ) {
    const { origins = [], ...rest } = options
    this.o = { ...SNAPSHOT_DEFAULTS, ...stripUndefined(rest) }
    this.origins = new Set(origins)
  }

  /** The image at `url`, from the cache, from a fetch already under way, or fetched now. */
  get(url: string): Promise<SnapshotResult> {
    const hit = this.cached(url)
    if (hit) return Promise.resolve(hit)
    const target = this.target(url)
    // Refused without a fetch: costs nothing, so nothing to remember.
    if ('refused' in target) return Promise.resolve({ ok: false, reason: target.refused })
    let pending = this.pending.get(url)
    if (!pending) {
      pending = this.load(url, target).finally(() => this.pending.delete(url))
      this.pending.set(url, pending)
    }
    return pending
  }

  /** Aborts what is under way (the server is closing). */
  close(): void {
    for (const controller of this.controllers) controller.abort()
  }

  private target(url: string): Target {
    if (url.startsWith('/')) {
      // To a browser `//host/…` and `/\host/…` are another host's; a path of the API is never an image.
      if (/^\/[/\\]/.test(url)) return { refused: `${preview(url)} is not a path of this server` }
      let parsed: URL
      let decoded: string
      try {
        parsed = new URL(url, 'http://this.server')
        decoded = decodeURIComponent(parsed.pathname)
      } catch {
        return { refused: `${preview(url)} is not a path` }
      }
      if (parsed.host !== 'this.server') return { refused: `${preview(url)} is not a path of this server` }
      if (/^\/api\//i.test(decoded)) return { refused: 'a path of the API is not a snapshot' }
      return { local: `${parsed.pathname}${parsed.search}` }
    }
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return { refused: `${preview(url)} is not a URL` }
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { refused: `${parsed.protocol} is not fetched` }
    if (parsed.username || parsed.password) return { refused: 'a URL with credentials is not fetched' }
    if (!this.origins.has(parsed.origin)) return { refused: `${parsed.origin} is not an origin of OUTPOST_SNAPSHOT_ORIGINS` }
    return { remote: parsed }
  }

  private async load(url: string, target: { local: string } | { remote: URL }): Promise<SnapshotResult> {
    await this.acquire()
    let result: SnapshotResult
    try {
      result = await this.fetch(target)
    } finally {
      this.release()
    }
    this.remember(url, result)
    return result
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.o.maxInFlight) {
      this.inFlight++
      return Promise.resolve()
    }
    if (this.waiting.length >= this.o.maxWaiting) return Promise.reject(new SnapshotBusyError(`${this.o.maxWaiting} snapshots already wait`))
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(wake)
        if (at >= 0) this.waiting.splice(at, 1)
        reject(new SnapshotBusyError(`no slot within ${this.o.waitMs} ms`))
      }, this.o.waitMs)
      this.waiting.push(wake)
    })
  }

  private release(): void {
    // The slot passes to the first one waiting, or is freed.
    const next = this.waiting.shift()
    if (next) next()
    else this.inFlight--
  }

  private async fetch(target: { local: string } | { remote: URL }): Promise<SnapshotResult> {
    const controller = new AbortController()
    this.controllers.add(controller)
    const timer = setTimeout(() => controller.abort(), this.o.timeoutMs)
    this.fetches++
    let source: SnapshotSource | undefined
    try {
      source = 'local' in target ? await this.local(target.local, controller.signal) : await requestRemote(target.remote, controller.signal)
      return await this.accept(source)
    } catch (error) {
      if (controller.signal.aborted) return { ok: false, reason: `no whole answer within ${this.o.timeoutMs} ms` }
      return { ok: false, reason: `cannot be fetched: ${(error as Error).message}` }
    } finally {
      clearTimeout(timer)
      this.controllers.delete(controller)
      source?.body.destroy()
    }
  }

  private async accept(source: SnapshotSource): Promise<SnapshotResult> {
    const { status, headers, body } = source
    if (status >= 300 && status < 400) return { ok: false, reason: `the source answered ${status}, a redirect, which is not followed` }
    if (status !== 200) return { ok: false, reason: `the source answered ${status}` }
    const type = mediaType(headers['content-type'])
    if (!isSnapshotType(type)) return { ok: false, reason: `the source answered ${type || 'no content type'}, not ${SNAPSHOT_TYPES.join(', ')}` }
    const declared = Number(headers['content-length'])
    if (declared > this.o.maxBytes) return { ok: false, reason: `the image has ${declared} bytes, more than ${this.o.maxBytes}` }
    const bytes = await readAtMost(body, this.o.maxBytes)
    if (!bytes) return { ok: false, reason: `the image has more than ${this.o.maxBytes} bytes` }
    if (!looksLike(type, bytes)) return { ok: false, reason: `the bytes are not a ${type}` }
    return { ok: true, image: { type, bytes } }
  }

  private cached(url: string): SnapshotResult | undefined {
    const entry = this.cache.get(url)
    if (!entry) return undefined
    this.cache.delete(url)
    if (entry.expires <= this.now()) {
      this.cachedBytes -= entry.size
      return undefined
    }
    // Most recently used last: the Map's order is the eviction order.
    this.cache.set(url, entry)
    return entry.result
  }

  private remember(url: string, result: SnapshotResult): void {
    const size = url.length + (result.ok ? result.image.bytes.length : FAILURE_SIZE)
    const ttl = result.ok ? this.o.cacheTtlMs : this.o.failureTtlMs
    if (ttl <= 0 || size > this.o.cacheBytes) return
    const old = this.cache.get(url)
    if (old) {
      this.cache.delete(url)
      this.cachedBytes -= old.size
    }
    this.cache.set(url, { result, size, expires: this.now() + ttl })
    this.cachedBytes += size
    for (const [key, entry] of this.cache) {
      if (this.cachedBytes <= this.o.cacheBytes) break
      this.cache.delete(key)
      this.cachedBytes -= entry.size
    }
  }
}

function requestRemote(url: URL, signal: AbortSignal): Promise<SnapshotSource> {
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        ...(url.port ? { port: Number(url.port) } : {}),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { accept: SNAPSHOT_TYPES.join(', '), 'user-agent': 'outpost-snapshot' },
        // A connection of its own, closed after the answer: nothing pooled for a source that may stall.
        agent: false,
        signal,
      },
      (response) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: response }),
    )
    request.on('error', reject)
    request.end()
  })
}

/** The body, or undefined as soon as it passes `max` bytes (the stream is then destroyed). */
async function readAtMost(body: Readable, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buffer.length
    if (size > max) {
      body.destroy()
      return undefined
    }
    chunks.push(buffer)
  }
  return Buffer.concat(chunks, size)
}

function mediaType(header: string | string[] | number | undefined): string {
  const value = Array.isArray(header) ? header[0] : header
  return String(value ?? '').split(';')[0]!.trim().toLowerCase()
}

function isSnapshotType(type: string): type is SnapshotType {
  return (SNAPSHOT_TYPES as readonly string[]).includes(type)
}

/** The file's own signature agrees with its declared type (a page or a script named image/png does not). */
export function looksLike(type: SnapshotType, bytes: Buffer): boolean {
  const starts = (offset: number, signature: number[]) => signature.every((b, i) => bytes[offset + i] === b)
  if (type === 'image/jpeg') return starts(0, [0xff, 0xd8, 0xff])
  if (type === 'image/png') return starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP'
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
