// The points that recurring hotspots are made of (shared/hotspots.ts), kept from the log as it is
// applied: requests as they are received, confirmed alerts that raised no request as they are
// reviewed. Columns of typed arrays (no object per point), bucketed by UTC day so that a window
// reads only its own days. Part of the rollups' state, so a checkpoint carries it.
import { ALERT_KINDS, CATEGORIES, type AlertKind } from '../../shared/domain'
import type { LiveEvent } from '../../shared/events'
import { findHotspots, findHotspotsInSlices, hotspotCategoryOfAlert, type Hotspot, type HotspotCategory, type HotspotPoint, type HotspotSettings } from '../../shared/hotspots'
import { DAY_MS } from '../../shared/time'
import type { Reader, Writer } from './codec'

const HOTSPOT_CATEGORIES: readonly HotspotCategory[] = [...CATEGORIES, ...ALERT_KINDS]
const CATEGORY_CODE = new Map<HotspotCategory, number>(HOTSPOT_CATEGORIES.map((c, i) => [c, i]))
const KIND_CODE = new Map<AlertKind, number>(ALERT_KINDS.map((k, i) => [k, i]))
const REQUEST = 0
const ALERT = 1

interface PendingAlert {
  kind: AlertKind
  grid: number
  lon: number
  lat: number
  at: number
}

export class HotspotIndex {
  private count = 0
  private ids: string[] = []
  private kind = new Uint8Array(0)
  private category = new Uint8Array(0)
  private grid = new Int32Array(0)
  private lon = new Float64Array(0)
  private lat = new Float64Array(0)
  private at = new Float64Array(0)
  /** Raised and not yet reviewed: what a confirmation needs of them. */
  private pending = new Map<string, PendingAlert>()
  private gridIds: string[] = []
  private gridCodes = new Map<string, number>()
  /** UTC day → point numbers. */
  private days = new Map<number, number[]>()

  get size(): number {
    return this.count
  }

  /** Called before the rollups take the event: `knownRequest` says whether a request id was received already. */
  apply(e: LiveEvent, knownRequest: (id: string) => boolean): void {
    switch (e.type) {
      case 'request.received':
        if (knownRequest(e.requestId)) return
        this.add(REQUEST, e.requestId, CATEGORY_CODE.get(e.category)!, this.gridCode(e.gridId), e.lon, e.lat, e.at)
        return
      case 'alert.raised':
        if (!this.pending.has(e.alertId)) this.pending.set(e.alertId, { kind: e.kind, grid: this.gridCode(e.gridId), lon: e.lon, lat: e.lat, at: e.at })
        return
      case 'alert.reviewed': {
        const a = this.pending.get(e.alertId)
        if (!a) return
        this.pending.delete(e.alertId)
        // A confirmed alert that raised a request is that request (its own point).
        if (e.verdict === 'confirmed' && e.requestId === undefined) {
          this.add(ALERT, e.alertId, CATEGORY_CODE.get(hotspotCategoryOfAlert(a.kind))!, a.grid, a.lon, a.lat, a.at)
        }
        return
      }
    }
  }

  /** The points in [from, to) whose grid passes `inScope`, as the definition takes them. */
  points(from: number, to: number, inScope: (gridId: string) => boolean): HotspotPoint[] {
    const scoped = this.gridIds.map(inScope)
    const out: HotspotPoint[] = []
    if (!(to > from)) return out
    const last = Math.floor((to - 1) / DAY_MS)
    for (let day = Math.floor(from / DAY_MS); day <= last; day++) this.dayPoints(day, from, to, scoped, out)
    return out
  }

  /**
   * `hotspots`, in slices of about `sliceMs` with `pause()` between them (the server: the next turn
   * of the event loop), the points read a day at a time. Points the log adds meanwhile to days
   * still to be read are taken; the answer is the window as it stood during the work.
   */
  async hotspotsInSlices(
    from: number,
    to: number,
    inScope: (gridId: string) => boolean,
    settings: HotspotSettings,
    pause: () => Promise<void>,
    sliceMs = 10,
  ): Promise<Hotspot[]> {
    const scoped = this.gridIds.map(inScope)
    const out: HotspotPoint[] = []
    if (to > from) {
      const last = Math.floor((to - 1) / DAY_MS)
      let sliceStart = performance.now()
      for (let day = Math.floor(from / DAY_MS); day <= last; day++) {
        this.dayPoints(day, from, to, scoped, out)
        if (performance.now() - sliceStart >= sliceMs) {
          await pause()
          sliceStart = performance.now()
        }
      }
    }
    return findHotspotsInSlices(out, settings, pause, sliceMs)
  }

  /** One UTC day's points in [from, to) whose grid is in `scoped` (by grid code; a grid added since counts out). */
  private dayPoints(day: number, from: number, to: number, scoped: readonly boolean[], out: HotspotPoint[]): void {
    const list = this.days.get(day)
    if (!list) return
    for (const i of list) {
      const at = this.at[i]!
      if (at < from || at >= to || !scoped[this.grid[i]!]) continue
      out.push({
        kind: this.kind[i] === REQUEST ? 'request' : 'alert',
        id: this.ids[i]!,
        category: HOTSPOT_CATEGORIES[this.category[i]!]!,
        lon: this.lon[i]!,
        lat: this.lat[i]!,
        at,
        gridId: this.gridIds[this.grid[i]!]!,
      })
    }
  }

  hotspots(from: number, to: number, inScope: (gridId: string) => boolean, settings: HotspotSettings): Hotspot[] {
    return findHotspots(this.points(from, to, inScope), settings)
  }

  private gridCode(id: string): number {
    let code = this.gridCodes.get(id)
    if (code === undefined) {
      code = this.gridIds.length
      this.gridIds.push(id)
      this.gridCodes.set(id, code)
    }
    return code
  }

  private add(kind: number, id: string, category: number, grid: number, lon: number, lat: number, at: number): void {
    if (this.count === this.kind.length) this.grow()
    const i = this.count++
    this.ids.push(id)
    this.kind[i] = kind
    this.category[i] = category
    this.grid[i] = grid
    this.lon[i] = lon
    this.lat[i] = lat
    this.at[i] = at
    this.bucket(i)
  }

  private bucket(i: number): void {
    const day = Math.floor(this.at[i]! / DAY_MS)
    const list = this.days.get(day)
    if (list) list.push(i)
    else this.days.set(day, [i])
  }

  private grow(): void {
    const capacity = Math.max(1024, this.kind.length * 2)
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(old: T, next: T): T => {
      next.set(old)
      return next
    }
    this.kind = grown(this.kind, new Uint8Array(capacity))
    this.category = grown(this.category, new Uint8Array(capacity))
    this.grid = grown(this.grid, new Int32Array(capacity))
    this.lon = grown(this.lon, new Float64Array(capacity))
    this.lat = grown(this.lat, new Float64Array(capacity))
    this.at = grown(this.at, new Float64Array(capacity))
  }

  /** Everything `apply` built (checkpoint.ts, inside the rollups' state). */
  write(w: Writer): void {
    const n = this.count
    w.strings(this.gridIds)
    w.strings(this.ids)
    w.bytes(this.kind.subarray(0, n))
    w.bytes(this.category.subarray(0, n))
    w.bytes(this.grid.subarray(0, n))
    w.bytes(this.lon.subarray(0, n))
    w.bytes(this.lat.subarray(0, n))
    w.bytes(this.at.subarray(0, n))
    w.strings([...this.pending.keys()])
    for (const a of this.pending.values()) {
      w.u8(KIND_CODE.get(a.kind)!)
      w.uint(a.grid)
      w.f64(a.lon)
      w.f64(a.lat)
      w.num(a.at)
    }
  }

  /** An index as `write` wrote it; throws on anything malformed. */
  static read(r: Reader): HotspotIndex {
    const t = new HotspotIndex()
    t.gridIds = r.strings()
    t.gridCodes = new Map(t.gridIds.map((id, i) => [id, i]))
    t.ids = r.strings()
    const n = t.ids.length
    t.kind = r.bytes((k) => new Uint8Array(k), 1)
    t.category = r.bytes((k) => new Uint8Array(k), 1)
    t.grid = r.bytes((k) => new Int32Array(k), 4)
    t.lon = r.bytes((k) => new Float64Array(k), 8)
    t.lat = r.bytes((k) => new Float64Array(k), 8)
    t.at = r.bytes((k) => new Float64Array(k), 8)
    if ([t.kind, t.category, t.grid, t.lon, t.lat, t.at].some((c) => c.length !== n)) throw new Error('checkpoint: hotspot columns disagree')
    for (let i = 0; i < n; i++) {
      if (t.kind[i]! > ALERT || t.category[i]! >= HOTSPOT_CATEGORIES.length || !(t.grid[i]! < t.gridIds.length)) throw new Error('checkpoint: malformed hotspot point')
    }
    for (const id of r.strings()) {
      const kind = ALERT_KINDS[r.u8()]
      const grid = r.uint()
      const lon = r.f64()
      const lat = r.f64()
      const at = r.num()
      if (kind === undefined || !(grid < t.gridIds.length)) throw new Error('checkpoint: malformed pending alert')
      t.pending.set(id, { kind, grid, lon, lat, at })
    }
    t.count = n
    for (let i = 0; i < n; i++) t.bucket(i)
    return t
  }
}
