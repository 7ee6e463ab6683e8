// Two Outpost processes on one PostgreSQL behind nginx; the process the wall is connected to is
// killed (SIGKILL) while requests flow. The wall must come back through the proxy on the other
// process, resync from its last seq and show each request once; every request acknowledged before
// the kill must be in the log.
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { startNginx, startOutpost, type OutpostProcess, type Proxy } from '../helpers/cluster'
import { testDatabase, type TestDatabase } from '../helpers/postgres'
import { LIVENESS_MS, waitForProgress } from '../helpers/wait-for'

const PASSWORD = 'failover-admin-password'
const geography = sampleGeography()
const COMMUNITIES = geography.children(geography.children('640106001')[0]!.id).map((u) => u.id)

let db: TestDatabase
const nodes: OutpostProcess[] = []
let proxy: Proxy
let browser: Browser
let cookie: string

/** Established TCP connections to a local port (nginx's side of a WebSocket, once the page has settled). */
function connectionsTo(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]).toString()
  return out.split('\n').filter((line) => line.trim() !== '').length
}

/** A request through the proxy with the admin's session (a person taking a call), as the console sends it. */
async function postRequest(id: string, n: number): Promise<{ status: number; seq?: number }> {
  const res = await fetch(`${proxy.url}/api/v1/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: proxy.url },
    body: JSON.stringify({ id, source: 'hotline', category: 'noise', priority: 'general', location: pointIn(geography, COMMUNITIES[n % COMMUNITIES.length]!) }),
    signal: AbortSignal.timeout(5_000),
  }).catch(() => undefined)
  if (!res) return { status: 0 }
  const body = (await res.json().catch(() => ({}))) as { seq?: number }
  return { status: res.status, ...(body.seq !== undefined ? { seq: body.seq } : {}) }
}

beforeAll(async () => {
  db = await testDatabase('outpost_failover')
  // The first process makes the schema and the admin; the second finds them.
  nodes.push(await startOutpost({ databaseUrl: db.url, env: { OUTPOST_ADMIN_PASSWORD: PASSWORD, OUTPOST_TRUST_PROXY: 'loopback' } }))
  nodes.push(await startOutpost({ databaseUrl: db.url, env: { OUTPOST_TRUST_PROXY: 'loopback' } }))
  proxy = await startNginx(nodes.map((n) => n.port))
  const login = await fetch(`${proxy.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: proxy.url },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  })
  expect(login.status, await login.clone().text()).toBe(200)
  cookie = login.headers.get('set-cookie')!.split(';')[0]!
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await proxy?.stop()
  for (const n of nodes) await n.stop().catch(() => undefined)
  await db?.drop()
})

describe('two processes behind nginx, one killed', () => {
  it('the wall reconnects through the proxy to the other process, resyncs, and shows each request once; no acknowledged request is lost', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } })
    const [name, value] = cookie.split('=') as [string, string]
    await context.addCookies([{ name, value, url: proxy.url }])
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(`${proxy.url}/wall`)
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })

    // The process holding the wall's WebSocket: the only one nginx keeps a connection open to.
    const holder = await waitForProgress(
      async () => nodes.map((n) => connectionsTo(n.port)),
      (counts) => counts.filter((c) => c > 0).length === 1,
      { what: 'the wall settling on one process' },
    ).then((counts) => nodes[counts.findIndex((c) => c > 0)]!)
    const other = nodes.find((n) => n !== holder)!

    const acknowledged: { id: string; seq: number }[] = []
    let n = 0
    const post = async () => {
      const id = `failover-${++n}`
      const r = await postRequest(id, n)
      if (r.status === 201) acknowledged.push({ id, seq: r.seq! })
      return r.status
    }
    // Requests flow, the wall shows them…
    for (let i = 0; i < 6; i++) expect(await post()).toBe(201)
    const tickerSeqs = () => page.locator('[data-testid="ticker-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))))
    await waitForProgress(tickerSeqs, (shown) => acknowledged.every((a) => shown.includes(a.seq)), { what: 'the first requests on the wall' })

    // …and the process holding the wall dies mid-stream, with requests still coming in.
    const flowing = (async () => {
      for (let i = 0; i < 14; i++) {
        await post()
        await new Promise((r) => setTimeout(r, 100))
      }
    })()
    await new Promise((r) => setTimeout(r, 250))
    await holder.kill9()
    await page.locator('[data-testid="reconnect-banner"]').waitFor({ timeout: LIVENESS_MS })
    await flowing
    // The other process answers through the same proxy: one more request, certainly after the kill.
    expect(await post()).toBe(201)

    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
    await page.locator('[data-testid="reconnect-banner"]').waitFor({ state: 'detached', timeout: LIVENESS_MS })
    expect(connectionsTo(other.port)).toBeGreaterThan(0)

    // Every acknowledged request is on the wall, once, and nothing is there twice.
    const seqs = await waitForProgress(tickerSeqs, (shown) => acknowledged.every((a) => shown.includes(a.seq)), { what: 'the resync after the failover' })
    for (const a of acknowledged) expect(seqs.filter((s) => s === a.seq), `seq ${a.seq} of ${a.id}`).toHaveLength(1)
    expect(new Set(seqs).size).toBe(seqs.length)
    expect(acknowledged.length).toBeGreaterThanOrEqual(7)

    // Every acknowledged request is in the log, as the surviving process reads it.
    for (const a of acknowledged) {
      const res = await fetch(`${proxy.url}/api/v1/requests/${a.id}`, { headers: { cookie } })
      expect(res.status, a.id).toBe(200)
      expect(((await res.json()) as { seq: number }).seq).toBeGreaterThanOrEqual(a.seq)
    }
    expect(errors).toEqual([])
    await context.close()
  })
})
