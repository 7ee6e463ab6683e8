// The hotspot definition of shared/hotspots.ts, done the slow and obvious way: every pair's
// distance, and each round a scan of every remaining point for the seed. No cells, no heap: what
// `findHotspots` must equal.
import { comparePoints, compareHotspots, makeHotspot, type Hotspot, type HotspotPoint, type HotspotSettings } from '../../shared/hotspots'
import { distanceMetres } from '../../shared/geo'

export function bruteForceHotspots(points: readonly HotspotPoint[], { radiusM, minCount }: HotspotSettings): Hotspot[] {
  const out: Hotspot[] = []
  const categories = [...new Set(points.map((p) => p.category))]
  for (const category of categories) {
    const pts = points.filter((p) => p.category === category)
    const n = pts.length
    // Neighbour lists over all pairs (latitude-sorted so that a pair too far apart north–south ends
    // the inner loop: the same pairs, fewer distances computed).
    const byLat = pts.map((_, i) => i).sort((a, b) => pts[a]!.lat - pts[b]!.lat)
    const dLat = (radiusM / 6_371_008.8) * (180 / Math.PI) * (1 + 1e-9)
    const near: number[][] = pts.map((_, i) => [i])
    for (let a = 0; a < n; a++) {
      const i = byLat[a]!
      for (let b = a + 1; b < n; b++) {
        const j = byLat[b]!
        if (pts[j]!.lat - pts[i]!.lat > dLat) break
        if (distanceMetres(pts[i]!, pts[j]!) <= radiusM) {
          near[i]!.push(j)
          near[j]!.push(i)
        }
      }
    }
    const alive = new Array<boolean>(n).fill(true)
    const count = near.map((list) => list.length)
    for (;;) {
      let best = -1
      for (let i = 0; i < n; i++) {
        if (!alive[i]) continue
        if (best < 0 || count[i]! > count[best]! || (count[i] === count[best] && comparePoints(pts[i]!, pts[best]!) < 0)) best = i
      }
      if (best < 0 || count[best]! < minCount) break
      const members = near[best]!.filter((j) => alive[j])
      for (const m of members) alive[m] = false
      for (const m of members) for (const q of near[m]!) if (alive[q]) count[q]!--
      out.push(makeHotspot(pts[best]!, members.map((m) => pts[m]!), radiusM))
    }
  }
  return out.sort(compareHotspots)
}
