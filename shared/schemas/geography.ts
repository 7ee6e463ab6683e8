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

const PositionSchema = Type.Tuple([Type.Number(), Type.Number()])
const PolygonCoordsSchema = Type.Array(Type.Array(PositionSchema))

/** GET /api/v1/geography — every unit as a GeoJSON Feature (RFC 7946, WGS84). */
export const GeographySchema = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      id: Type.String(),
      properties: UnitPropertiesSchema,
      geometry: Type.Union([
        Type.Object({ type: Type.Literal('Polygon'), coordinates: PolygonCoordsSchema }),
        Type.Object({ type: Type.Literal('MultiPolygon'), coordinates: Type.Array(PolygonCoordsSchema) }),
      ]),
    }),
  ),
})
export type Geography = Static<typeof GeographySchema>

export const HealthSchema = Type.Object({ status: Type.Literal('ok'), seq: Type.Integer() })
export type Health = Static<typeof HealthSchema>
