import Type, { type Static } from 'typebox'
import { UNIT_LEVELS } from '../domain'

export const UnitPropertiesSchema = Type.Object({
  id: Type.String(),
  level: Type.Enum(UNIT_LEVELS),
  parentId: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  population: Type.Optional(Type.Integer()),
  households: Type.Optional(Type.Integer()),
})
export type UnitProperties = Static<typeof UnitPropertiesSchema>

/** GET /api/v1/geography — every unit as a GeoJSON Feature (RFC 7946, WGS84). */
export const GeographySchema = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.String(),
      properties: UnitPropertiesSchema,
      geometry: Type.Object({
        type: Type.Literal('Polygon'),
        coordinates: Type.Array(Type.Array(Type.Array(Type.Number()))),
      }),
    }),
  ),
})
export type Geography = Static<typeof GeographySchema>

export const HealthSchema = Type.Object({ status: Type.Literal('ok'), seq: Type.Integer() })
