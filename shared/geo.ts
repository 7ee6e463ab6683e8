// Coordinate systems met in Chinese data: WGS84 (GPS), GCJ-02 (national "Mars" datum: AMap,
// Tencent, Tianditu overlays) and BD-09 (Baidu). Outpost stores WGS84 only.
import gcoord from 'gcoord'
import type { Crs, LonLat } from './domain'

const CRS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const

export function toWgs84(point: LonLat, crs: Crs = 'wgs84'): LonLat {
  if (crs === 'wgs84') return { lon: point.lon, lat: point.lat }
  const [lon, lat] = gcoord.transform([point.lon, point.lat], CRS[crs], gcoord.WGS84) as [number, number]
  return { lon, lat }
}

export function fromWgs84(point: LonLat, crs: Crs): LonLat {
  if (crs === 'wgs84') return { lon: point.lon, lat: point.lat }
  const [lon, lat] = gcoord.transform([point.lon, point.lat], gcoord.WGS84, CRS[crs]) as [number, number]
  return { lon, lat }
}

/** Great-circle distance in metres (haversine), for tolerances in tests and for walking workers. */
export function distanceMetres(a: LonLat, b: LonLat): number {
  const r = 6_371_008.8
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * r * Math.asin(Math.sqrt(h))
}
