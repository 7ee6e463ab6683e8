// The unit tree in memory: parent chains, subtree tests and point → grid assignment.
import Flatbush from 'flatbush'
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon'
import { geometryBbox, type GeoUnit, type LonLat, type UnitLevel, type UnitPath } from '../../shared/domain'
import type { Geography as GeographyCollection } from '../../shared/schemas/geography'

export interface UnitRef {
  id: string
  level: UnitLevel
}

export class Geography {
  readonly units: readonly GeoUnit[]
  readonly district: GeoUnit
  private readonly byId = new Map<string, GeoUnit>()
  private readonly childrenOf = new Map<string, GeoUnit[]>()
  private readonly paths = new Map<string, UnitPath>()
  private readonly grids: GeoUnit[]
  private readonly index: Flatbush

  constructor(units: readonly GeoUnit[]) {
    this.units = units
    for (const unit of units) {
      if (this.byId.has(unit.id)) throw new Error(`duplicate unit id ${unit.id}`)
      this.byId.set(unit.id, unit)
    }
    const districts = units.filter((u) => u.level === 'district')
    if (districts.length !== 1) throw new Error(`expected one district, found ${districts.length}`)
    this.district = districts[0]!
    for (const unit of units) {
      if (unit.parentId === null) continue
      if (!this.byId.has(unit.parentId)) throw new Error(`unit ${unit.id} names unknown parent ${unit.parentId}`)
      const siblings = this.childrenOf.get(unit.parentId) ?? []
      siblings.push(unit)
      this.childrenOf.set(unit.parentId, siblings)
    }
    this.grids = units.filter((u) => u.level === 'grid')
    for (const grid of this.grids) {
      const community = this.parentOf(grid, 'community')
      const street = this.parentOf(community, 'street')
      const district = this.parentOf(street, 'district')
      this.paths.set(grid.id, { districtId: district.id, streetId: street.id, communityId: community.id, gridId: grid.id })
    }
    this.index = new Flatbush(Math.max(1, this.grids.length))
    for (const grid of this.grids) {
      const [minX, minY, maxX, maxY] = bbox(grid)
      this.index.add(minX, minY, maxX, maxY)
    }
    if (this.grids.length === 0) this.index.add(0, 0, 0, 0)
    this.index.finish()
  }

  get(id: string): GeoUnit | undefined {
    return this.byId.get(id)
  }

  ref(id: string): UnitRef | undefined {
    const unit = this.byId.get(id)
    return unit ? { id: unit.id, level: unit.level } : undefined
  }

  children(id: string): readonly GeoUnit[] {
    return this.childrenOf.get(id) ?? []
  }

  /** The grid's chain up to the district. */
  pathOf(gridId: string): UnitPath | undefined {
    return this.paths.get(gridId)
  }

  /** Whether `unitId` is `ancestorId` or lies below it. */
  isWithin(unitId: string, ancestorId: string): boolean {
    for (let unit = this.byId.get(unitId); unit; unit = unit.parentId ? this.byId.get(unit.parentId) : undefined) {
      if (unit.id === ancestorId) return true
    }
    return false
  }

  /** The grid containing a WGS84 point; a point on a shared edge goes to the lowest grid id. */
  locate(point: LonLat): UnitPath | undefined {
    if (this.grids.length === 0) return undefined
    const hits = this.index.search(point.lon, point.lat, point.lon, point.lat)
    let found: GeoUnit | undefined
    for (const i of hits) {
      const grid = this.grids[i]!
      if (found && found.id < grid.id) continue
      if (booleanPointInPolygon([point.lon, point.lat], grid.geometry)) found = grid
    }
    return found ? this.paths.get(found.id) : undefined
  }

  featureCollection(): GeographyCollection {
    return {
      type: 'FeatureCollection',
      features: this.units.map((u) => ({
        type: 'Feature' as const,
        id: u.id,
        properties: {
          id: u.id,
          level: u.level,
          parentId: u.parentId,
          name: u.name,
          ...(u.population !== undefined ? { population: u.population } : {}),
          ...(u.households !== undefined ? { households: u.households } : {}),
        },
        geometry: u.geometry,
      })),
    }
  }

  private parentOf(unit: GeoUnit, level: UnitLevel): GeoUnit {
    const parent = unit.parentId ? this.byId.get(unit.parentId) : undefined
    if (!parent || parent.level !== level) throw new Error(`unit ${unit.id} must have a ${level} parent`)
    return parent
  }
}

export function bbox(unit: GeoUnit): [number, number, number, number] {
  return geometryBbox(unit.geometry)
}
