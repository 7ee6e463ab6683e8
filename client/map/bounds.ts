/** [[west, south], [east, north]] of a polygon's outer ring, for `fitBounds`. */
export type Bounds = [[number, number], [number, number]]

export function polygonBounds(coordinates: readonly (readonly (readonly number[])[])[]): Bounds {
  let west = Infinity
  let south = Infinity
  let east = -Infinity
  let north = -Infinity
  for (const [lon, lat] of coordinates[0] ?? []) {
    if (lon < west) west = lon
    if (lon > east) east = lon
    if (lat < south) south = lat
    if (lat > north) north = lat
  }
  if (!Number.isFinite(west)) throw new Error('polygonBounds: empty polygon')
  return [
    [west, south],
    [east, north],
  ]
}
