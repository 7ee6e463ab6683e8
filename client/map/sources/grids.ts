import type { Geography } from '../../../shared/schemas/geography'
import type { GeoJSONSourceSpecification } from '../spec'

/**
 * Every unit polygon (district, streets, communities, grids) in one source; the layers pick levels
 * by filter. `promoteId` makes the unit id the feature id, stable across reloads.
 */
export function buildGridsSource(geography: Geography): GeoJSONSourceSpecification {
  return { type: 'geojson', data: geography, promoteId: 'id' }
}
