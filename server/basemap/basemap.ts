// The wall's optional base map (OUTPOST_BASEMAP_STYLE / _PMTILES, OUTPOST_BASEMAP_CRS).

/** An optional base map under the project's layers, in `crs` (the project's data is shifted into it). */
export type Basemap =
  /** A MapLibre style URL (this server's `/…`, or a tile server on the LAN). */
  | { style: string; crs: 'wgs84' | 'gcj02' }
  /** A local PMTiles v3 file, served by this server at `BASEMAP_PMTILES_PATH`. */
  | { pmtiles: string; crs: 'wgs84' | 'gcj02' }
