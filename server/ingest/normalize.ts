// From a validated API body to what the store keeps: WGS84, a grid, epoch ms, a fingerprint.
import { hash, randomFillSync } from 'node:crypto'
import type { UnitPath } from '../../shared/domain'
import { toWgs84 } from '../../shared/geo'
import { FIRST_DATE } from '../../shared/time'
import type { Location } from '../../shared/schemas/common'
import type { Camera } from '../geo/cameras'
import type { Geography } from '../geo/geography'
import { HttpError } from '../errors'

/**
 * Canonical JSON (sorted keys) hashed: the same body in another key order is the same body. SHA-256
 * through the one-shot `hash` (a third of `createHash`'s cost on a short body; the same digest).
 */
export function fingerprint(value: unknown): string {
  return hash('sha256', canonicalJson(value), 'base64url')
}

/**
 * What a create is stored with to tell a retry from a conflict: the body's fingerprint when the
 * caller names the id. An id the server makes cannot be retried with the same body (a body that
 * names it is not the first body, which did not), so its fingerprint would never be compared: it
 * is stored empty, which no fingerprint equals, and a later body naming that id is a conflict
 * either way. Hashing a canonical copy of every body was a tenth of an ingest request's time.
 */
export function createFingerprint(body: { id?: string | undefined }): string {
  return body.id === undefined ? '' : fingerprint(body)
}

// Built by concatenation, keys sorted by code unit (Array#sort's default): fingerprints stored by
// earlier builds must come out the same, or a retry would read as a conflict.
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + (canonicalJson(value[i]) ?? '')
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  let out = '{'
  for (const key of Object.keys(record).sort()) {
    const v = record[key]
    if (v === undefined) continue
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(v)}`
  }
  return `${out}}`
}

const idBytes = Buffer.alloc(16)
/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 409 ids, not one per id. */
const pool = Buffer.alloc(4096)
let poolAt = pool.length

/**
 * A UUID of version 7 (RFC 9562): 48 bits of milliseconds, then random bits. Ids made one after
 * another sort one after another, so the store's B-trees take them at their ends instead of
 * dirtying a random page for each (a random v4 UUID about doubled the pages a commit writes).
 */
export function newId(prefix: string, now = Date.now()): string {
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool)
    poolAt = 0
  }
  pool.copy(idBytes, 6, poolAt, poolAt + 10)
  poolAt += 10
  idBytes.writeUIntBE(now, 0, 6)
  idBytes[6] = (idBytes[6]! & 0x0f) | 0x70
  idBytes[8] = (idBytes[8]! & 0x3f) | 0x80
  const hex = idBytes.toString('hex')
  return `${prefix}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export interface Placed {
  lon: number
  lat: number
  path: UnitPath
}

/** Converts to WGS84 and finds the grid; a point outside the district is a 422 naming the field. */
export function place(geography: Geography, location: Location, field: string): Placed {
  const point = toWgs84(location, location.crs ?? 'wgs84')
  const lon = round7(point.lon)
  const lat = round7(point.lat)
  const path = geography.locate({ lon, lat })
  if (!path) {
    throw new HttpError(
      422,
      `${field} (${lon.toFixed(6)}, ${lat.toFixed(6)} WGS84) lies outside every grid of ${geography.district.name}`,
      { field, rule: 'within-area' },
    )
  }
  return { lon, lat, path }
}

/**
 * Where an alert happened: its own location when it sends one, else its registered camera's
 * (WGS84). An unknown camera without a location is a 422 naming `body/cameraId`.
 */
export function placeAlert(
  geography: Geography,
  cameras: ReadonlyMap<string, Camera>,
  body: { cameraId: string; location?: Location | undefined },
): Placed {
  if (body.location) return place(geography, body.location, 'body/location')
  const camera = cameras.get(body.cameraId)
  if (!camera) {
    throw new HttpError(
      422,
      `body/cameraId ${body.cameraId} is not a registered camera, and the alert has no location: send body/location, or register the camera in the OUTPOST_CAMERAS file`,
      { field: 'body/cameraId', rule: 'registered-camera' },
    )
  }
  return place(geography, { lon: camera.lon, lat: camera.lat }, 'body/cameraId')
}

/** 1e-7° is about 1 cm: finer digits are noise, and rounding keeps stored values stable. */
function round7(x: number): number {
  return Math.round(x * 1e7) / 1e7
}

/** Events dated before this are refused: the same floor as the read routes' windows. */
const EARLIEST = Date.parse(`${FIRST_DATE}T00:00:00Z`)

/**
 * An optional ISO time, or now; times more than five minutes ahead of the server, or before 2000,
 * are refused.
 */
export function timeOf(iso: string | undefined, now: number, field: string): number {
  if (iso === undefined) return now
  const ms = Date.parse(iso)
  if (!Number.isFinite(ms)) throw new HttpError(400, `${field} is not a valid time`, { field, rule: 'format' })
  if (ms < EARLIEST) throw new HttpError(400, `${field} ${iso} is before ${FIRST_DATE}`, { field, rule: 'range' })
  if (ms > now + 5 * 60_000) {
    throw new HttpError(400, `${field} ${iso} is in the future`, { field, rule: 'not-future' })
  }
  return ms
}
