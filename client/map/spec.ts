// Style-spec types, derived from what maplibre-gl's own API accepts: the builders import only
// types from it, so they stay pure and cheap to test.
import type { MapOptions } from 'maplibre-gl'

export type StyleSpecification = Exclude<MapOptions['style'], string | undefined>
export type LayerSpecification = StyleSpecification['layers'][number]
export type SourceSpecification = StyleSpecification['sources'][string]
export type GeoJSONSourceSpecification = Extract<SourceSpecification, { type: 'geojson' }>
export type FillLayerSpecification = Extract<LayerSpecification, { type: 'fill' }>
export type LineLayerSpecification = Extract<LayerSpecification, { type: 'line' }>
export type CircleLayerSpecification = Extract<LayerSpecification, { type: 'circle' }>
export type SymbolLayerSpecification = Extract<LayerSpecification, { type: 'symbol' }>
export type HeatmapLayerSpecification = Extract<LayerSpecification, { type: 'heatmap' }>
/** A colour paint value (a colour or an expression), as a fill layer takes it. */
export type ColorValue = NonNullable<NonNullable<FillLayerSpecification['paint']>['fill-color']>
