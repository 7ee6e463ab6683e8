import { geometryBbox } from '../../shared/domain'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildSampleGeography } from '../../shared/sample-geography'
import { buildApp, type AppOptions } from '../../server/app'
import { AuthStore, type Role } from '../../server/auth/auth-store'
import type { Accounts } from '../../server/auth/accounts'
import { hashPassword } from '../../server/auth/passwords'
import { Geography } from '../../server/geo/geography'
import { SqliteStore } from '../../server/store/sqlite-store'
import type { Store } from '../../server/store/types'

let sharedGeography: Geography | undefined

export function sampleGeography(): Geography {
  sharedGeography ??= new Geography(buildSampleGeography())
  return sharedGeography
}

export interface TestUser {
  username: string
  password: string
  role: Role
  unit: string
}

export const CENTER: TestUser = { username: 'center', password: 'center-pass-1', role: 'center', unit: '640106' }

export interface TestApp<A extends Accounts = AuthStore> {
  app: FastifyInstance
  store: Store
  auth: A
  geography: Geography
  /** An ingest key and a center session: enough for any route. */
  headers: { authorization: string; cookie: string }
  /** `app.inject` with `headers` added (a test's own headers win). */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>
  login(user: TestUser): Promise<string>
  close(): Promise<void>
}

export async function addUsers(auth: Accounts, users: TestUser[]): Promise<void> {
  for (const u of users) await auth.addUser({ username: u.username, role: u.role, unit: u.unit }, await hashPassword(u.password))
}

/** Logs in through the API; returns the Cookie header value. */
export async function loginCookie(app: FastifyInstance, user: Pick<TestUser, 'username' | 'password'>): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: user.username, password: user.password } })
  if (res.statusCode !== 200) throw new Error(`login of ${user.username} failed: ${res.statusCode} ${res.body}`)
  const cookie = res.cookies.find((c) => c.name === 'outpost_session')!
  return `${cookie.name}=${cookie.value}`
}

/**
 * The app on an in-memory store, with an ingest key and a center user; no socket server unless asked.
 * The accounts are an in-memory AuthStore unless given (a PgAccounts for the shared-accounts tests).
 */
export type TestAppOptions = Partial<Omit<AppOptions, 'auth'>> & { users?: TestUser[] }
export async function buildTestApp<A extends Accounts>(options: TestAppOptions & { auth: A }): Promise<TestApp<A>>
export async function buildTestApp(options?: TestAppOptions & { auth?: AuthStore }): Promise<TestApp>
export async function buildTestApp<A extends Accounts>(options: TestAppOptions & { auth?: A } = {}): Promise<TestApp<A>> {
  const store = options.store ?? new SqliteStore({ filename: ':memory:' })
  const auth = options.auth ?? (new AuthStore(':memory:') as Accounts as A)
  const geography = options.geography ?? sampleGeography()
  await addUsers(auth, [CENTER, ...(options.users ?? [])])
  const { key } = await auth.addKey('test')
  const app = await buildApp({ realtime: false, ...options, store, auth, geography })
  await app.ready()
  const headers = { authorization: `Bearer ${key}`, cookie: await loginCookie(app, CENTER) }
  return {
    app,
    store,
    auth,
    geography,
    headers,
    inject: (o: InjectOptions) => app.inject({ ...o, headers: { ...headers, ...(o.headers ?? {}) } }),
    login: (user: TestUser) => loginCookie(app, user),
    async close() {
      await app.close()
      await store.close()
      await auth.close()
    },
  }
}

/** The same, listening on a real port with Socket.IO. */
export async function startTestServer<A extends Accounts>(options: TestAppOptions & { auth: A }): Promise<TestApp<A> & { url: string }>
export async function startTestServer(options?: TestAppOptions & { auth?: AuthStore }): Promise<TestApp & { url: string }>
export async function startTestServer<A extends Accounts>(options: TestAppOptions & { auth?: A } = {}): Promise<TestApp<A> & { url: string }> {
  const t = (await buildTestApp({ realtime: { tickMs: 50 }, ...options } as TestAppOptions & { auth: A })) as TestApp<A>
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  return { ...t, url: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` }
}

/**
 * A point inside the first grid under a unit: its bounding box's centre when that lies in the grid
 * (always, for the sample's rectangles), else the lattice point of the box nearest the centre that
 * the geography places in the grid (irregular or concave grids of a loaded district).
 */
export function pointIn(geography: Geography, unitId: string): { lon: number; lat: number } {
  const gridId = firstGrid(geography, unitId)
  const [west, south, east, north] = geometryBbox(geography.get(gridId)!.geometry)
  const centre = { lon: (west + east) / 2, lat: (south + north) / 2 }
  if (geography.locate(centre)?.gridId === gridId) return centre
  const steps = 64
  let best: { lon: number; lat: number } | undefined
  let bestDistance = Infinity
  for (let i = 1; i < steps; i++) {
    for (let j = 1; j < steps; j++) {
      const point = { lon: west + ((east - west) * i) / steps, lat: south + ((north - south) * j) / steps }
      const distance = (i - steps / 2) ** 2 + (j - steps / 2) ** 2
      if (distance < bestDistance && geography.locate(point)?.gridId === gridId) {
        best = point
        bestDistance = distance
      }
    }
  }
  if (!best) throw new Error(`no point found inside grid ${gridId}`)
  return best
}

/** The first grid under a unit. */
export function firstGrid(geography: Geography, unitId: string): string {
  let unit = geography.get(unitId)
  while (unit && unit.level !== 'grid') unit = geography.children(unit.id)[0]
  if (!unit) throw new Error(`no grid under ${unitId}`)
  return unit.id
}
