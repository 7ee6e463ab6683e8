import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { AuditReply } from '../../shared/schemas/audit'
import { getJson, launchChromium, openWall, postJson, type WallPage } from '../helpers/browser'
import { pointIn, sampleGeography } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'
import { LIVENESS_MS } from '../helpers/wait-for'

/** The wall with an alarm pinned, for a look (the test only writes it). */
const SHOT = '/tmp/outpost-wall-alarms.png'

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser
let walls: WallPage[] = []
const geography = sampleGeography()

beforeAll(async () => {
  server = await serveBuiltApp()
  browser = await launchChromium()
  // Two walls open at once, as in a center with two screens.
  walls = [await openWall(browser, server), await openWall(browser, server)]
  for (const { page } of walls) await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: LIVENESS_MS })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const row = (wall: WallPage, alarmId: string) => wall.page.locator(`[data-testid="alarm-row"][data-alarm="${alarmId}"]`)

describe('alarms on the wall', () => {
  it('pins an urgent request until a person acknowledges it, then it leaves every wall; the ack is in the audit trail', async () => {
    const location = pointIn(geography, '640106001')
    const gridName = geography.get(geography.locate(location)!.gridId)!.name
    const created = await postJson<{ id: string }>(server, '/api/v1/requests', {
      id: 'alarm-urgent-1',
      source: 'hotline',
      category: 'safety_hazard',
      priority: 'urgent',
      location,
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const alarmId = 'urgent:alarm-urgent-1'

    for (const wall of walls) {
      await row(wall, alarmId).waitFor({ timeout: LIVENESS_MS })
      const text = await row(wall, alarmId).textContent()
      expect(text).toContain('紧急诉求')
      expect(text).toContain('安全隐患')
      expect(text).toContain(gridName)
      expect(await row(wall, alarmId).getAttribute('data-reason')).toBe('urgent_request')
    }

    // Life goes on: a camera alert (its own alarm, newest first) and a 督办 on the request. The
    // urgent request's alarm stays, now marked as urged.
    const alert = await postJson(server, '/api/v1/alerts', { id: 'alarm-cam-1', cameraId: 'cam-a', kind: 'smoke_fire', confidence: 0.93, location: pointIn(geography, '640106002') })
    expect(alert.status).toBe(201)
    const urge = await postJson(server, '/api/v1/requests/alarm-urgent-1/urge', { note: '请尽快处置' })
    expect(urge.status, JSON.stringify(urge.body)).toBe(201)
    for (const wall of walls) {
      await row(wall, 'alert:alarm-cam-1').waitFor({ timeout: LIVENESS_MS })
      await wall.page.locator('[data-testid="ticker-row"][data-type="request.urged"]').waitFor({ timeout: LIVENESS_MS })
      await row(wall, alarmId).locator('[data-testid="alarm-urged"]').waitFor({ timeout: LIVENESS_MS })
      const order = await wall.page.locator('[data-testid="alarm-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alarm')))
      expect(order).toEqual(['alert:alarm-cam-1', alarmId])
      expect(await wall.page.locator('[data-testid="alarm-count"]').textContent()).toBe('2')
    }
    await walls[0]!.page.screenshot({ path: SHOT })

    // Acknowledged by a person (the center's session, from the server's own origin).
    const ack = await fetch(`${server.url}/api/v1/alarms/${encodeURIComponent(alarmId)}/ack`, {
      method: 'POST',
      headers: { cookie: server.headers.cookie, origin: server.url },
    })
    expect(ack.status, await ack.clone().text()).toBe(201)

    for (const wall of walls) {
      await row(wall, alarmId).waitFor({ state: 'detached', timeout: LIVENESS_MS })
      await wall.page.locator('[data-testid="ticker-row"][data-type="alarm.acked"]').waitFor({ timeout: LIVENESS_MS })
      // The camera alert's alarm is still there: only the acknowledged one left.
      expect(await row(wall, 'alert:alarm-cam-1').count()).toBe(1)
      expect(await wall.page.locator('[data-testid="alarm-count"]').textContent()).toBe('1')
    }

    // A wall opened now starts from the snapshot: the acknowledged alarm is not there either.
    const late = await openWall(browser, server)
    await row(late, 'alert:alarm-cam-1').waitFor({ timeout: LIVENESS_MS })
    expect(await row(late, alarmId).count()).toBe(0)
    walls.push(late)

    const { entries } = await getJson<AuditReply>(server, '/api/v1/audit')
    const acks = entries.filter((e) => e.action === 'alarm.ack')
    expect(acks).toHaveLength(1)
    expect(acks[0]).toMatchObject({ actor: { kind: 'user', name: 'center' }, target: `alarm:${alarmId}` })

    for (const wall of walls) {
      expect(wall.errors).toEqual([])
      expect(wall.offsite).toEqual([])
    }
  })
})
