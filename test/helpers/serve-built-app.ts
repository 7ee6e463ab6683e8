import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AppOptions } from '../../server/app'
import type { Geography } from '../../server/geo/geography'
import { startTestServer, type TestUser } from './build-app'

/**
 * The built client: dist/client, or OUTPOST_TEST_CLIENT_DIR (with `npx vite build --outDir <dir>`),
 * so that people building and testing side by side do not rebuild each other's client mid-run.
 */
export const clientDir = process.env.OUTPOST_TEST_CLIENT_DIR
  ? resolve(process.env.OUTPOST_TEST_CLIENT_DIR)
  : fileURLToPath(new URL('../../dist/client', import.meta.url))

/**
 * The real server with the built client on port 0, an in-memory store and no simulator. It has
 * the center user `center` (CENTER in build-app.ts), an ingest key, and any `users` given; it
 * serves `geography` (another district than the sample) when one is given, and counts its days in
 * `timeZone` when one is given (the center's own otherwise).
 */
export async function serveBuiltApp(
  options: { users?: TestUser[]; basemap?: AppOptions['basemap']; geography?: Geography; snapshots?: AppOptions['snapshots']; timeZone?: string } = {},
) {
  if (!existsSync(`${clientDir}/index.html`)) throw new Error(`no built client at ${clientDir}: run \`npm run build\` first`)
  return startTestServer({
    clientDir,
    realtime: { tickMs: 100 },
    ...(options.users ? { users: options.users } : {}),
    ...(options.basemap ? { basemap: options.basemap } : {}),
    ...(options.geography ? { geography: options.geography } : {}),
    ...(options.snapshots ? { snapshots: options.snapshots } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  })
}

/** The `outpost_session` cookie of a Cookie header, for a browser context. */
export function sessionCookie(url: string, cookieHeader: string) {
  const [name, value] = cookieHeader.split('=') as [string, string]
  return { name, value, url }
}
