import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { createAppI18n } from '../../client/i18n'
import { loginLocation, safeNext } from '../../client/lib/login'
import { withLang } from '../../client/lib/login-lang'
import { createAppRouter } from '../../client/router'
import { getSession, postSession, useSessionStore, type SessionCheck } from '../../client/stores/session'
import LoginView from '../../client/views/LoginView.vue'

vi.mock('../../client/views/WallView.vue', () => ({ default: { render: () => null } }))
vi.mock('../../client/views/LeaderView.vue', () => ({ default: { render: () => null } }))
vi.mock('../../client/views/KioskView.vue', () => ({ default: { render: () => null } }))

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
const USER = { username: 'li', role: 'leader', unit: '640106001', expiresAt: '2026-11-29T00:00:00Z' }

describe('where login sends the user', () => {
  it('accepts only paths on this site', () => {
    expect(safeNext('/leader?unit=640106001&window=7d')).toBe('/leader?unit=640106001&window=7d')
    expect(safeNext('/wall?scene=640106002')).toBe('/wall?scene=640106002')
    for (const bad of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'leader', '/login?next=/leader', '', undefined, 42]) {
      expect(safeNext(bad), String(bad)).toBe('/leader')
    }
    expect(safeNext(['/wall', '/leader'])).toBe('/wall')
  })

  it('builds /login?next=<path and query>, keeping the language', () => {
    expect(loginLocation('/leader?unit=640106001&lang=en', 'en')).toEqual({ path: '/login', query: { next: '/leader?unit=640106001&lang=en', lang: 'en' } })
    expect(loginLocation('/wall', undefined)).toEqual({ path: '/login', query: { next: '/wall' } })
  })
})

describe('the session guard', () => {
  function router(check: SessionCheck['status']) {
    const checkSession = vi.fn(async (): Promise<SessionCheck> => (check === 'ok' ? { status: 'ok', user: USER as never } : { status: check }))
    return { router: createAppRouter(createMemoryHistory(), { checkSession }), checkSession }
  }

  it('sends a visitor without a session from /leader and /wall to the login, with the way back', async () => {
    const { router: r } = router('unauthenticated')
    await r.push('/leader?unit=640106001001&window=7d&figure=resolution')
    expect(r.currentRoute.value.path).toBe('/login')
    expect(r.currentRoute.value.query.next).toBe('/leader?unit=640106001001&window=7d&figure=resolution')
    await r.push('/wall?scene=640106002&lang=en')
    expect(r.currentRoute.value.path).toBe('/login')
    expect(r.currentRoute.value.query).toEqual({ next: '/wall?scene=640106002&lang=en', lang: 'en' })
    await r.push('/leader/requests/r-1')
    expect(r.currentRoute.value.query.next).toBe('/leader/requests/r-1')
  })

  it('lets the kiosk and the login page through without asking', async () => {
    const { router: r, checkSession } = router('unauthenticated')
    await r.push('/kiosk')
    expect(r.currentRoute.value.path).toBe('/kiosk')
    await r.push('/login')
    expect(r.currentRoute.value.path).toBe('/login')
    expect(checkSession).not.toHaveBeenCalled()
  })

  it('asks once on entering the leader page, not on every drill', async () => {
    const { router: r, checkSession } = router('ok')
    await r.push('/leader?unit=640106001')
    await r.push('/leader?unit=640106001001')
    await r.push('/leader/requests/r-1')
    expect(r.currentRoute.value.path).toBe('/leader/requests/r-1')
    expect(checkSession).toHaveBeenCalledTimes(1)
  })

  it('lets the page open when the answer is not a 401 (network, older server)', async () => {
    const { router: r } = router('unknown')
    await r.push('/wall')
    expect(r.currentRoute.value.path).toBe('/wall')
  })
})

describe('session calls', () => {
  it('reads 401 as nobody, anything else that fails as unknown', async () => {
    expect(await getSession(async () => json({ message: 'no' }, 401))).toEqual({ status: 'unauthenticated' })
    expect(await getSession(async () => json({}, 404))).toEqual({ status: 'unknown' })
    expect(
      await getSession(async () => {
        throw new TypeError('network')
      }),
    ).toEqual({ status: 'unknown' })
    expect(await getSession(async () => json(USER))).toEqual({ status: 'ok', user: USER })
  })

  it('posts the credentials as JSON with the cookie policy, and reads 401 and 429', async () => {
    const fetchImpl = vi.fn(async (_input: string, _init?: RequestInit) => json(USER))
    expect(await postSession('li', 'pw', fetchImpl)).toEqual({ ok: true, user: USER })
    const init = fetchImpl.mock.calls[0]![1]!
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('same-origin')
    expect(JSON.parse(init.body as string)).toEqual({ username: 'li', password: 'pw' })
    expect(await postSession('li', 'x', async () => json({ message: 'bad' }, 401))).toEqual({ ok: false, reason: 'invalid' })
    expect(await postSession('li', 'x', async () => json({ message: 'slow down' }, 429, { 'retry-after': '30' }))).toEqual({
      ok: false,
      reason: 'throttled',
      retryAfterSec: 30,
    })
    expect(await postSession('li', 'x', async () => json({ rule: 'busy' }, 429, { 'retry-after': '1' }))).toEqual({ ok: false, reason: 'busy', retryAfterSec: 1 })
    expect(await postSession('li', 'x', async () => json({}, 500))).toEqual({ ok: false, reason: 'failed' })
  })
})

describe('LoginView', () => {
  afterEach(() => vi.unstubAllGlobals())

  async function mountLogin(query: string, locale: 'zh-CN' | 'en' = 'zh-CN') {
    const r = createAppRouter(createMemoryHistory(), { checkSession: async () => ({ status: 'unknown' }) })
    await r.push(`/login${query}`)
    const pinia = createPinia()
    const wrapper = mount(LoginView, { global: { plugins: [pinia, r, createAppI18n(locale)] }, attachTo: document.body })
    return { wrapper, router: r, pinia }
  }

  async function submit(wrapper: Awaited<ReturnType<typeof mountLogin>>['wrapper'], username: string, password: string) {
    await wrapper.get('[data-testid="login-username"]').setValue(username)
    await wrapper.get('[data-testid="login-password"]').setValue(password)
    await wrapper.get('[data-testid="login-form"]').trigger('submit')
    await flushPromises()
  }

  it('labels its fields and says a wrong password in Chinese', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ message: 'invalid' }, 401)))
    const { wrapper } = await mountLogin('?next=/leader')
    const username = wrapper.get('#login-username')
    expect(wrapper.get('label[for="login-username"]').text()).toBe('用户名')
    expect(wrapper.get('label[for="login-password"]').text()).toBe('密码')
    expect(username.attributes('autocomplete')).toBe('username')
    expect(wrapper.get('#login-password').attributes('type')).toBe('password')
    await submit(wrapper, 'li', 'wrong')
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('用户名或密码错误')
    expect(wrapper.get('[data-testid="login-error"]').attributes('role')).toBe('alert')
    expect((wrapper.get('#login-password').element as HTMLInputElement).value).toBe('')
    wrapper.unmount()
  })

  it('says when logins are locked and for how long (Retry-After), counts down, and opens again; in English on request', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    try {
      vi.stubGlobal('fetch', vi.fn(async () => json({ message: 'too many', rule: 'throttle' }, 429, { 'retry-after': '60' })))
      const { wrapper } = await mountLogin('?lang=en', 'en')
      await submit(wrapper, 'li', 'pw')
      const locked = wrapper.get('[data-testid="login-locked"]')
      expect(locked.text()).toBe('Too many attempts: logging in is locked for now')
      expect(wrapper.get('[data-testid="login-error"]').text()).toContain('Try again in 60 seconds.')
      expect(wrapper.get('[data-testid="login-submit"]').attributes('disabled')).toBeDefined()
      expect(wrapper.get('[data-testid="login-submit"]').text()).toBe('60 seconds left')
      await vi.advanceTimersByTimeAsync(15_000)
      expect(wrapper.get('[data-testid="login-error"]').text()).toContain('Try again in 45 seconds.')
      await vi.advanceTimersByTimeAsync(46_000)
      expect(wrapper.find('[data-testid="login-locked"]').exists()).toBe(false)
      expect(wrapper.get('[data-testid="login-submit"]').attributes('disabled')).toBeUndefined()
      wrapper.unmount()
    } finally {
      vi.useRealTimers()
    }
  })

  it('words a long lock in minutes, in Chinese', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ message: 'too many', rule: 'throttle' }, 429, { 'retry-after': '840' })))
    const { wrapper } = await mountLogin('')
    await submit(wrapper, 'li', 'pw')
    expect(wrapper.get('[data-testid="login-locked"]').text()).toBe('登录尝试过多，已暂时锁定')
    expect(wrapper.get('[data-testid="login-error"]').text()).toContain('请在 14 分钟后再试')
    wrapper.unmount()
  })

  it('says "busy" apart from a lock: nothing counted, the button stays usable', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ message: 'too many logins at once', rule: 'busy' }, 429, { 'retry-after': '1' })))
    const { wrapper } = await mountLogin('')
    await submit(wrapper, 'li', 'pw')
    expect(wrapper.find('[data-testid="login-locked"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('服务器正忙，请几秒后再试。这次尝试没有计入失败次数。')
    expect(wrapper.get('[data-testid="login-submit"]').attributes('disabled')).toBeUndefined()
    wrapper.unmount()
  })

  it('shows the product name and switches language in place, keeping it in ?lang= and in the page after login', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(USER)))
    const { wrapper, router: r } = await mountLogin(`?next=${encodeURIComponent('/wall?scene=640106002')}`)
    expect(wrapper.get('[data-testid="login-product"]').findAll('span').map((e) => e.text())).toEqual(['前哨', 'Outpost'])
    expect(wrapper.get('[data-testid="login-subtitle"]').text()).toBe('基层治理指挥中心')
    const [zh, en] = wrapper.findAll('[data-testid="login-lang"] button')
    expect(zh!.attributes('aria-pressed')).toBe('true')
    await en!.trigger('click')
    await flushPromises()
    expect(r.currentRoute.value.query).toEqual({ next: '/wall?scene=640106002', lang: 'en' })
    expect(wrapper.get('label[for="login-username"]').text()).toBe('Username')
    expect(wrapper.get('[data-testid="login-subtitle"]').text()).toBe('Community governance command center')
    expect(en!.attributes('aria-pressed')).toBe('true')
    expect(document.documentElement.lang).toBe('en')
    await submit(wrapper, 'li', 'right')
    expect(r.currentRoute.value.fullPath).toBe('/wall?scene=640106002&lang=en')
    wrapper.unmount()
  })

  it('asks for both fields before calling the server', async () => {
    const fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    const { wrapper } = await mountLogin('')
    await submit(wrapper, '', '')
    expect(fetchMock).not.toHaveBeenCalled()
    expect(wrapper.get('[data-testid="login-error"]').text()).toBe('请输入用户名和密码')
    wrapper.unmount()
  })

  it('goes to `next` after logging in, and remembers the user', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(USER)))
    const { wrapper, router: r, pinia } = await mountLogin(`?next=${encodeURIComponent('/leader?unit=640106001001&window=7d')}`)
    await submit(wrapper, 'li', 'right')
    expect(r.currentRoute.value.fullPath).toBe('/leader?unit=640106001001&window=7d')
    expect(useSessionStore(pinia).user?.unit).toBe('640106001')
    wrapper.unmount()
  })

  it('never follows a `next` that leaves the site', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json(USER)))
    const { wrapper, router: r } = await mountLogin(`?next=${encodeURIComponent('//evil.example/')}`)
    await submit(wrapper, 'li', 'right')
    expect(r.currentRoute.value.path).toBe('/leader')
    wrapper.unmount()
  })
})

describe('withLang', () => {
  it('sets ?lang=en or takes it out for Chinese, keeping the rest of the path', () => {
    expect(withLang('/leader?unit=640106001', 'en')).toBe('/leader?unit=640106001&lang=en')
    expect(withLang('/leader?unit=640106001&lang=en', 'zh-CN')).toBe('/leader?unit=640106001')
    expect(withLang('/wall', 'zh-CN')).toBe('/wall')
    expect(withLang('/wall#x', 'en')).toBe('/wall?lang=en#x')
    expect(withLang('/leader?unit=640106001&window=7d', 'zh-CN')).toBe('/leader?unit=640106001&window=7d')
  })
})
