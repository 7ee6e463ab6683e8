import type { FastifyInstance } from 'fastify'
import { buildSampleGeography } from '../../shared/sample-geography'
import { buildApp, type AppOptions } from '../../server/app'
import { Geography } from '../../server/geo/geography'
import { SqliteStore } from '../../server/store/sqlite-store'
import type { Store } from '../../server/store/types'

let sharedGeography: Geography | undefined

export function sampleGeography(): Geography {
  sharedGeography ??= new Geography(buildSampleGeography())
  return sharedGeography
}

export interface TestApp {
  app: FastifyInstance
  store: Store
  geography: Geography
  close(): Promise<void>
}

/** The app on an in-memory store; no socket server unless asked. */
export async function buildTestApp(options: Partial<AppOptions> = {}): Promise<TestApp> {
  const store = options.store ?? new SqliteStore({ filename: ':memory:' })
  const geography = options.geography ?? sampleGeography()
  const app = await buildApp({ realtime: false, ...options, store, geography })
  await app.ready()
  return {
    app,
    store,
    geography,
    async close() {
      await app.close()
      await store.close()
    },
  }
}

/** A point in the middle of a grid (grids are rectangles in the sample geography). */
export function pointIn(geography: Geography, unitId: string): { lon: number; lat: number } {
  let unit = geography.get(unitId)
  while (unit && unit.level !== 'grid') unit = geography.children(unit.id)[0]
  if (!unit) throw new Error(`no grid under ${unitId}`)
  const ring = unit.polygon[0]!
  const lons = ring.map((p) => p[0])
  const lats = ring.map((p) => p[1])
  return {
    lon: (Math.min(...lons) + Math.max(...lons)) / 2,
    lat: (Math.min(...lats) + Math.max(...lats)) / 2,
  }
}

/** The first grid under a unit. */
export function firstGrid(geography: Geography, unitId: string): string {
  let unit = geography.get(unitId)
  while (unit && unit.level !== 'grid') unit = geography.children(unit.id)[0]
  if (!unit) throw new Error(`no grid under ${unitId}`)
  return unit.id
}
