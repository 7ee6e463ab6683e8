// A store remembers the geography it was written with; a start with another one must not leave
// events naming units that are gone.
//
// Events keep the path (district, street, community, grid) they were placed with at ingest, and
// every read finds them by those ids at those levels. So what a new geography may do:
//
// - add units: fine, nothing names them yet;
// - redraw boundaries, rename, change populations: fine, events keep the grid they were placed in;
// - move a unit to another parent (a grid to another community, a community to another street):
//   fine. Its events keep the parent they were placed under, and both readings stay whole: the unit
//   itself is read by its own id (a grid along every community `grids` records for it, see
//   sqlite-schema.ts), its old parent still counts the events that happened in it while the unit
//   was part of it, as the figures of the time said, and the new parent counts what happens from
//   now on. Nothing is unreachable, so the start goes on;
// - drop a unit, or give its id another level (a community that is now a grid): events naming it at
//   its old level could no longer be read by any unit, or would be counted as something else. If
//   any event names it, the start stops (GeographyMismatchError, naming each such unit and its
//   event count) and the store is left exactly as it was. A dropped unit that no event names goes.
import { createHash, type Hash } from 'node:crypto'
import { polygonsOf, type GeoUnit, type UnitGeometry, type UnitLevel } from '../../shared/domain'
import type { Geography } from '../geo/geography'
import type { RecordedUnit, Store } from './types'

/** A unit that events name and that the geography no longer has at that level. */
export interface OrphanedUnit {
  id: string
  /** The level events name it at. */
  level: UnitLevel
  /** Its name, when the store's record has it. */
  name?: string
  /** Its level in the new geography, when it is there at another one. */
  nowLevel?: UnitLevel
  events: number
}

export class GeographyMismatchError extends Error {
  readonly units: readonly OrphanedUnit[]

  constructor(message: string, units: readonly OrphanedUnit[]) {
    super(message)
    this.name = 'GeographyMismatchError'
    this.units = units
  }
}

export interface GuardOptions {
  /** What the geography was loaded from, for the message: its file, or "the sample district". */
  geographySource?: string
  /** Where the store is, for the message (its data directory). */
  storeLocation?: string
  /** Epoch ms for the record (tests). */
  now?: () => number
}

/** Units named in a message at most; the rest are summed up in one phrase. */
const LISTED = 20

/**
 * sha-256 of the units in a canonical form: sorted by id, each as the JSON of
 * [id, level, parentId, name, population, households, geometry type] followed by its shape in
 * binary (see `ShapeWriter`). The order of the file's features does not change it; any change to a
 * unit does. It runs at every start: a large district's shapes are tens of MB as JSON text (2 s to
 * write out), a fraction of that as doubles.
 */
export function geographyHash(units: readonly GeoUnit[]): string {
  const hash = createHash('sha256')
  const shapes = new ShapeWriter(hash)
  const sorted = [...units].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const u of sorted) {
    hash.update(JSON.stringify([u.id, u.level, u.parentId, u.name, u.population ?? null, u.households ?? null, u.geometry.type]))
    shapes.write(u.geometry)
  }
  return hash.digest('hex')
}

/**
 * Writes a shape into the hash as doubles: the number of polygons, then for each its number of
 * rings, then for each ring its number of points and the points' coordinates. Counts come before
 * what they count, so no two shapes give the same bytes. One buffer, handed to the hash whenever
 * it fills.
 */
class ShapeWriter {
  private readonly buffer = new Float64Array(8192)
  private at = 0

  constructor(private readonly hash: Hash) {}

  write(geometry: UnitGeometry): void {
    const polygons = polygonsOf(geometry)
    this.put(polygons.length)
    for (const rings of polygons) {
      this.put(rings.length)
      for (const ring of rings) {
        this.put(ring.length)
        for (const point of ring) {
          this.put(point[0])
          this.put(point[1])
        }
      }
    }
    this.flush()
  }

  private put(value: number): void {
    if (this.at === this.buffer.length) this.flush()
    this.buffer[this.at++] = value
  }

  private flush(): void {
    this.hash.update(this.buffer.subarray(0, this.at))
    this.at = 0
  }
}

/**
 * Compares the store's record with `geography` and records `geography` when nothing that events
 * name is gone; throws GeographyMismatchError (and writes nothing) otherwise. The same geography as
 * last time costs one read of the record.
 */
export async function guardStoreGeography(store: Store, geography: Geography, options: GuardOptions = {}): Promise<void> {
  const hash = geographyHash(geography.units)
  const record = await store.geographyRecord()
  if (record?.hash === hash) return
  // Without a record (a new store, or one written before stores kept theirs), what events may name
  // is read from the log itself: empty for a new store.
  const before: (Pick<RecordedUnit, 'id' | 'level'> & { name?: string })[] = record ? record.units : await store.unitsInLog()
  const gone = before.filter((unit) => geography.get(unit.id)?.level !== unit.level)
  const counts = gone.length > 0 ? await store.eventCountsByUnit(gone.map(({ id, level }) => ({ id, level }))) : []
  const orphaned: OrphanedUnit[] = []
  gone.forEach((unit, i) => {
    const events = counts[i] ?? 0
    if (events === 0) return
    const nowLevel = geography.get(unit.id)?.level
    orphaned.push({ id: unit.id, level: unit.level, ...(unit.name ? { name: unit.name } : {}), ...(nowLevel ? { nowLevel } : {}), events })
  })
  if (orphaned.length > 0) {
    // The busiest first: what a reader must not miss leads.
    orphaned.sort((a, b) => b.events - a.events || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    throw new GeographyMismatchError(mismatchMessage(orphaned, options), orphaned)
  }
  await store.recordGeography({
    hash,
    recordedAt: (options.now ?? Date.now)(),
    units: geography.units.map((u) => ({ id: u.id, level: u.level, parentId: u.parentId, name: u.name })),
  })
}

function mismatchMessage(units: OrphanedUnit[], options: GuardOptions): string {
  const listed = units.slice(0, LISTED).map(describe)
  const rest = units.slice(LISTED)
  if (rest.length > 0) {
    const events = rest.reduce((sum, u) => sum + u.events, 0)
    listed.push(`and ${count(rest.length)} more unit${rest.length === 1 ? '' : 's'} (${count(events)} event${events === 1 ? '' : 's'})`)
  }
  const where = options.storeLocation ? ` in ${options.storeLocation}` : ''
  const what = options.geographySource ?? 'the geography it is started with'
  const n = units.length === 1 ? '1 unit that events refer to is' : `${count(units.length)} units that events refer to are`
  return (
    `the store${where} was written with another geography: ${n} not in ${what}: ${listed.join(', ')}. ` +
    `Start with the geography it was written with, or move the store aside (see README "Moving to a new grid layout").`
  )
}

function describe(unit: OrphanedUnit): string {
  const name = unit.name ? ` ${unit.name}` : ''
  const events = `${count(unit.events)} event${unit.events === 1 ? '' : 's'}`
  return `${unit.level} ${unit.id}${name} (${unit.nowLevel ? `re-levelled as ${unit.nowLevel}; ` : ''}${events})`
}

function count(n: number): string {
  return n.toLocaleString('en-US')
}
