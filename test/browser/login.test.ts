// The login page at 1440×900 in Chromium: the product's name, a language switch kept in ?lang=, the
// real throttle's lock said with how long to wait, and a page that passes axe.
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../helpers/browser'
import type { TestUser } from '../helpers/build-app'
import { serveBuiltApp } from '../helpers/serve-built-app'

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const LEADER: TestUser = { username: 'leader-login', password: 'leader-pass-login', role: 'leader', unit: '640106001' }

let server: Awaited<ReturnType<typeof serveBuiltApp>>
let browser: Browser

declare global {
  interface Window {
    axe: { run(context?: unknown, options?: unknown): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown }[] }[] }> }
  }
}

beforeAll(async () => {
  server = await serveBuiltApp({ users: [LEADER] })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function openLogin(path: string) {
  // axe goes in as an inline script, which the page's CSP rightly refuses: the test lifts it.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(`${server.url}${path}`)
  await page.locator('[data-testid="login-form"]').waitFor({ timeout: 15_000 })
  return { context, page, errors }
}

const fontSize = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize))

async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE })
  const { violations } = await page.evaluate(() => window.axe.run())
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`)
}

describe('/login in Chromium at 1440×900', () => {
  it('names the product in large type, switches language in place and keeps it in ?lang=, and passes axe', async () => {
    const { context, page, errors } = await openLogin(`/login?next=${encodeURIComponent('/leader?unit=640106001')}`)
    expect(await page.locator('[data-testid="login-product"]').textContent()).toContain('前哨')
    expect(await page.locator('[data-testid="login-product"]').textContent()).toContain('Outpost')
    expect(await page.locator('[data-testid="login-subtitle"]').textContent()).toBe('基层治理指挥中心')
    // Larger and clearer than a form in body type: the name, the fields and the button.
    expect(await fontSize(page, '[data-testid="login-product"]')).toBeGreaterThanOrEqual(56)
    expect(await fontSize(page, '[data-testid="login-username"]')).toBeGreaterThanOrEqual(18)
    expect(await fontSize(page, '[data-testid="login-submit"]')).toBeGreaterThanOrEqual(18)
    const form = await page.locator('[data-testid="login-form"]').boundingBox()
    expect(form!.width).toBeGreaterThanOrEqual(420)
    expect(await axeProblems(page)).toEqual([])
    await page.screenshot({ path: '/tmp/outpost-kiosk/login.png' })

    await page.locator('[data-testid="login-lang"] button[data-lang="en"]').click()
    await page.waitForURL(/lang=en/)
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en')
    expect(new URL(page.url()).searchParams.get('next')).toBe('/leader?unit=640106001')
    expect(await page.locator('label[for="login-username"]').textContent()).toBe('Username')
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')
    expect(await page.title()).toContain('Log in')
    expect(await axeProblems(page)).toEqual([])
    await page.screenshot({ path: '/tmp/outpost-kiosk/login-en.png' })
    // A reload keeps the language.
    await page.reload()
    await page.locator('[data-testid="login-form"]').waitFor()
    expect(await page.locator('label[for="login-password"]').textContent()).toBe('Password')
    // Back to Chinese: ?lang= goes.
    await page.locator('[data-testid="login-lang"] button[data-lang="zh-CN"]').click()
    await expect.poll(() => new URL(page.url()).searchParams.get('lang')).toBeNull()
    expect(await page.locator('label[for="login-password"]').textContent()).toBe('密码')
    expect(errors).toEqual([])
    await context.close()
  })

  it('says the lock in plain words and how long to wait when the throttle answers 429, and keeps the button off', async () => {
    const { context, page, errors } = await openLogin('/login')
    for (let i = 0; i < 5; i++) {
      await page.locator('[data-testid="login-username"]').fill(LEADER.username)
      await page.locator('[data-testid="login-password"]').fill(`wrong-${i}`)
      await page.locator('[data-testid="login-submit"]').click()
      await expect.poll(() => page.locator('[data-testid="login-error"]').textContent()).toBe('用户名或密码错误')
      await page.locator('[data-testid="login-submit"]:not([disabled])').waitFor()
    }
    // The sixth: the pair is locked for 15 minutes, even with the right password.
    await page.locator('[data-testid="login-password"]').fill(LEADER.password)
    await page.locator('[data-testid="login-submit"]').click()
    const locked = page.locator('[data-testid="login-locked"]')
    await locked.waitFor()
    expect(await locked.textContent()).toBe('登录尝试过多，已暂时锁定')
    expect(await page.locator('[data-testid="login-error"]').textContent()).toMatch(/请在 1[45] 分钟后再试/)
    expect(Number(await locked.getAttribute('data-seconds'))).toBeGreaterThan(800)
    expect(await page.locator('[data-testid="login-submit"]').isDisabled()).toBe(true)
    expect(await page.locator('[data-testid="login-error"]').getAttribute('role')).toBe('alert')
    expect(await axeProblems(page)).toEqual([])
    await page.screenshot({ path: '/tmp/outpost-kiosk/login-locked.png' })
    expect(errors).toEqual([])
    await context.close()
  })
})
