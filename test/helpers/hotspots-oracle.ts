// The hotspot definition of shared/hotspots.ts, done the plain way: every pair's distance (pairs
// too far apart north–south skipped in a latitude-sorted sweep), and each round the seed found by
// scanning the points that have the highest count. No cells, no heap: what `findHotspots` must equal.
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
    // Points by their current count: the seed is the earliest of the highest non-empty count (a
    // scan of that set only; counts only fall).
    const byCount: Set<number>[] = []
    for (let i = 0; i < n; i++) (byCount[count[i]!] ??= new Set()).add(i)
    let top = byCount.length - 1
    for (;;) {
      while (top >= minCount && !(byCount[top]?.size)) top--
      if (top < minCount) break
      let best = -1
      for (const i of byCount[top]!) if (best < 0 || comparePoints(pts[i]!, pts[best]!) < 0) best = i
      const members = near[best]!.filter((j) => alive[j])
      for (const m of members) {
        alive[m] = false
        byCount[count[m]!]!.delete(m)
      }
      for (const m of members) {
        for (const q of near[m]!) {
          if (!alive[q]) continue
          byCount[count[q]!]!.delete(q)
          count[q]!--
          ;(byCount[count[q]!] ??= new Set()).add(q)
        }
      }
      out.push(makeHotspot(pts[best]!, members.map((m) => pts[m]!), radiusM))
    }
  }
  return out.sort(compareHotspots)
}
