import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { PublicStats } from '../../shared/public'
import KioskCard from '../../client/components/kiosk/KioskCard.vue'
import KioskFooter from '../../client/components/kiosk/KioskFooter.vue'
import KioskReport from '../../client/components/kiosk/KioskReport.vue'
import { createAppI18n } from '../../client/i18n'
import { buildCards, COMPARISON_ROWS_PER_CARD, hasSuppressed, hasWithheld, type KioskCard as Card } from '../../client/kiosk/cards'

const STREET = '640106001'

function stats(overrides: Partial<PublicStats> = {}): PublicStats {
  return {
    unit: STREET,
    name: '满城北街街道',
    level: 'street',
    updatedAt: '2025-03-10T06:00:00.000Z',
    threshold: 5,
    month: { received: 1234, handled: 1180 },
    year: { received: 5210, handled: 4988 },
    rates: { onTimeResponse: 0.9347, resolution: 0.88, satisfaction: null },
    medianResponseSec: 3900,
    topCategories: [
      { category: 'environment', handled: 320 },
      { category: 'noise', handled: 160 },
      { category: 'elderly_care', handled: '<5' },
    ],
    comparison: {
      level: 'community',
      units: [
        { unit: `${STREET}001`, name: '阅海社区', handled: 210, onTimeResponse: 0.95, satisfaction: 0.9 },
        { unit: `${STREET}002`, name: '宁安社区', handled: '<5', onTimeResponse: null, satisfaction: null },
      ],
    },
    activities: [
      { kind: 'volunteering', activities: 12, participants: 340 },
      { kind: 'future_kind', activities: 1, participants: 9 },
      { kind: 'senior_class', activities: 4, participants: '<5' },
    ],
    ...overrides,
  }
}

const find = <K extends Card['kind']>(cards: Card[], kind: K) => cards.find((c): c is Extract<Card, { kind: K }> => c.kind === kind)!

function render(card: Card, locale: 'zh-CN' | 'en' = 'zh-CN') {
  return mount(KioskCard, { props: { card }, global: { plugins: [createAppI18n(locale)] } })
}

const value = (wrapper: ReturnType<typeof render>, key: string) => wrapper.get(`[data-testid="kiosk-value"][data-key="${key}"]`)

describe('kiosk cards from the public figures', () => {
  it('makes the cards in the issue’s order, from the payload as it is', () => {
    const s = stats()
    const cards = buildCards(s)
    expect(cards.map((c) => c.id)).toEqual(['volume', 'rates', 'categories', 'comparison', 'activities'])
    expect(find(cards, 'volume')).toMatchObject({ month: s.month, year: s.year })
    expect(find(cards, 'rates').rates).toEqual([
      { key: 'onTimeResponse', value: 0.9347 },
      { key: 'resolution', value: 0.88 },
      { key: 'satisfaction', value: null },
    ])
    expect(find(cards, 'rates').medianResponseSec).toBe(3900)
    // Bars against the largest count; a suppressed count has no bar.
    expect(find(cards, 'categories').items.map((i) => [i.category, i.handled, i.share])).toEqual([
      ['environment', 320, 1],
      ['noise', 160, 0.5],
      ['elderly_care', '<5', 0],
    ])
    expect(find(cards, 'comparison')).toMatchObject({ level: 'community', current: STREET, page: 1, pages: 1, units: s.comparison.units })
    // The six kinds in their fixed order, an unknown kind after them.
    expect(find(cards, 'activities').items.map((i) => i.kind)).toEqual(['senior_class', 'volunteering', 'future_kind'])
  })

  it('leaves out lists with nothing in them, and a comparison of one', () => {
    const s = stats({
      topCategories: [],
      activities: [],
      comparison: { level: 'community', units: [{ unit: `${STREET}001`, name: '阅海社区', handled: 1, onTimeResponse: null, satisfaction: null }] },
      rates: { onTimeResponse: null, resolution: null, satisfaction: null },
      medianResponseSec: null,
    })
    // The figures stay, with "too few" on them, rather than vanish.
    expect(buildCards(s).map((c) => c.id)).toEqual(['volume', 'rates'])
  })

  it('splits a long comparison over several cards so nothing scrolls', () => {
    const units = Array.from({ length: 2 * COMPARISON_ROWS_PER_CARD + 1 }, (_, i) => ({
      unit: `u${i}`,
      name: `社区${i}`,
      handled: i,
      onTimeResponse: null,
      satisfaction: null,
    }))
    const cards = buildCards(stats({ comparison: { level: 'street', units } })).filter((c) => c.kind === 'comparison')
    expect(cards.map((c) => c.id)).toEqual(['comparison', 'comparison-2', 'comparison-3'])
    expect(cards.map((c) => [c.page, c.pages, c.units.length])).toEqual([
      [1, 3, COMPARISON_ROWS_PER_CARD],
      [2, 3, COMPARISON_ROWS_PER_CARD],
      [3, 3, 1],
    ])
    expect(cards.flatMap((c) => c.units.map((u) => u.unit))).toEqual(units.map((u) => u.unit))
  })

  it('knows when a count on screen is suppressed', () => {
    expect(hasSuppressed(stats())).toBe(true)
    const plain = stats({ topCategories: [], activities: [], comparison: { level: 'community', units: [] } })
    expect(hasSuppressed(plain)).toBe(false)
    expect(hasSuppressed({ ...plain, year: { received: 9, handled: '<5' } })).toBe(true)
  })

  it('knows when a count on screen is withheld ("*"), apart from "<5"', () => {
    const plain = stats({ topCategories: [], activities: [], comparison: { level: 'community', units: [] } })
    expect(hasWithheld(stats())).toBe(false)
    expect(hasWithheld(plain)).toBe(false)
    const withheld = { ...plain, month: { received: '*', handled: '*' } } satisfies PublicStats
    expect(hasWithheld(withheld)).toBe(true)
    expect(hasSuppressed(withheld)).toBe(false)
    expect(hasWithheld({ ...plain, activities: [{ kind: 'senior_class', activities: '<5', participants: '*' }] })).toBe(true)
    expect(hasWithheld({ ...plain, comparison: { level: 'community', units: [{ unit: 'u', name: 'n', handled: '*', onTimeResponse: null, satisfaction: null }] } })).toBe(true)
  })
})

describe('kiosk card components', () => {
  const cards = buildCards(stats())

  it('shows the requests of the month and the year in large type', () => {
    const w = render(find(cards, 'volume'))
    expect(w.get('h2').text()).toBe('为民办事')
    expect(value(w, 'month.received').text()).toBe('1,234')
    expect(value(w, 'month.handled').text()).toBe('1,180')
    expect(value(w, 'year.received').text()).toBe('5,210')
    expect(value(w, 'year.handled').text()).toBe('4,988')
    expect(w.text()).toContain('本月受理诉求')
    expect(w.get('section').attributes('aria-labelledby')).toBe(w.get('h2').attributes('id'))
  })

  it('says under a withheld figure why it is not shown', () => {
    const w = render(find(buildCards(stats({ month: { received: '*', handled: 7 } })), 'volume'))
    expect(value(w, 'month.received').text()).toBe('*')
    expect(w.get('[data-figure="month.received"] [data-testid="kiosk-withheld-note"]').text()).toBe('为保护隐私不显示')
    expect(w.findAll('[data-testid="kiosk-withheld-note"]')).toHaveLength(1)
  })

  it('shows a rate with one decimal, and "—" with its reason where there are too few', () => {
    const w = render(find(cards, 'rates'))
    expect(value(w, 'rates.onTimeResponse').text()).toBe('93.5%')
    expect(value(w, 'rates.resolution').text()).toBe('88.0%')
    const missing = value(w, 'rates.satisfaction')
    expect(missing.text()).toBe('—')
    // The dash is not read out; the reason is, and it is on screen too.
    expect(missing.attributes('aria-hidden')).toBe('true')
    const reasons = w.findAll('[data-testid="kiosk-too-few"]')
    expect(reasons).toHaveLength(1)
    expect(reasons[0]!.text()).toBe('样本太少，暂不显示')
    expect(w.get('[data-figure="rates.satisfaction"]').text()).toContain('样本太少，暂不显示')
  })

  it('says the median response time in words, on the rates card', () => {
    expect(value(render(find(cards, 'rates')), 'medianResponseSec').text()).toBe('1 小时 5 分')
    expect(value(render(find(cards, 'rates'), 'en'), 'medianResponseSec').text()).toBe('1 h 5 min')
    const none = render(find(buildCards(stats({ medianResponseSec: null, rates: { onTimeResponse: 0.9, resolution: 0.9, satisfaction: 0.9 } })), 'rates'))
    expect(value(none, 'medianResponseSec').text()).toBe('—')
    expect(none.text()).toContain('样本太少，暂不显示')
  })

  it('names the categories and keeps "<5" as it came', () => {
    const w = render(find(cards, 'categories'))
    const rows = w.findAll('li')
    expect(rows.map((r) => r.attributes('data-category'))).toEqual(['environment', 'noise', 'elderly_care'])
    expect(rows[0]!.text()).toContain('环境卫生')
    expect(value(w, 'category.environment').text()).toBe('320')
    expect(value(w, 'category.elderly_care').text()).toBe('<5')
    expect(w.get('.kiosk-bar__track').attributes('aria-hidden')).toBe('true')
  })

  it('compares the units in a table, marking the kiosk’s own', () => {
    const community = `${STREET}001`
    const s = stats({ unit: community, name: '阅海社区', level: 'community' })
    const w = render(find(buildCards(s), 'comparison'))
    expect(w.get('h2').text()).toBe('各社区本月服务情况')
    expect(w.findAll('thead th').map((th) => th.attributes('scope'))).toEqual(['col', 'col', 'col', 'col'])
    const rows = w.findAll('tbody tr')
    expect(rows.map((r) => r.attributes('data-unit'))).toEqual([community, `${STREET}002`])
    expect(rows[0]!.attributes('aria-current')).toBe('true')
    expect(rows[0]!.text()).toContain('本单位')
    expect(rows[1]!.attributes('aria-current')).toBeUndefined()
    expect(value(w, `comparison.${community}.handled`).text()).toBe('210')
    expect(value(w, `comparison.${community}.onTimeResponse`).text()).toBe('95.0%')
    expect(value(w, `comparison.${STREET}002.handled`).text()).toBe('<5')
    expect(value(w, `comparison.${STREET}002.satisfaction`).text()).toBe('—')
    expect(rows[1]!.findAll('.kiosk-sr-only').map((e) => e.text())).toEqual(['样本太少，暂不显示', '样本太少，暂不显示'])
  })

  it('lists the service activities by kind, in either language', () => {
    const zh = render(find(cards, 'activities'))
    const tiles = zh.findAll('li')
    expect(tiles.map((t) => t.attributes('data-activity'))).toEqual(['senior_class', 'volunteering', 'future_kind'])
    expect(tiles[0]!.text()).toContain('银龄学堂')
    expect(tiles[1]!.text()).toContain('志愿服务')
    expect(tiles[2]!.text()).toContain('future_kind')
    expect(value(zh, 'activity.volunteering.activities').text()).toBe('12')
    expect(value(zh, 'activity.volunteering.participants').text()).toBe('340')
    expect(value(zh, 'activity.senior_class.participants').text()).toBe('<5')

    const en = render(find(cards, 'activities'), 'en')
    expect(en.get('h2').text()).toBe('Community services this month')
    expect(en.text()).toContain('Senior classes')
    expect(en.text()).toContain('participants')
  })

  it('at community level shows the street’s activities by kind, and the community’s own only where they are numbers', () => {
    const community = `${STREET}001`
    const area = {
      unit: STREET,
      name: '满城北街街道',
      items: [
        { kind: 'volunteering', activities: 14, participants: 402 },
        { kind: 'senior_class', activities: 9, participants: 187 },
        { kind: 'legal_aid', activities: '*' as const, participants: '*' as const },
      ],
    }
    const s = stats({
      unit: community,
      name: '阅海社区',
      level: 'community',
      activities: [
        { kind: 'senior_class', activities: 6, participants: 120 },
        { kind: 'volunteering', activities: '<5', participants: '<5' },
        { kind: 'legal_aid', activities: '<5', participants: '*' },
      ],
      activitiesArea: area,
    })
    const card = find(buildCards(s), 'activities')
    expect(card.area?.items.map((i) => i.kind)).toEqual(['senior_class', 'legal_aid', 'volunteering'])
    const w = render(card)
    expect(w.get('[data-testid="kiosk-activities-area"]').text()).toBe('满城北街街道本月共举办')
    expect(value(w, 'area.senior_class.activities').text()).toBe('9')
    expect(value(w, 'area.volunteering.participants').text()).toBe('402')
    expect(value(w, 'area.legal_aid.activities').text()).toBe('*')
    // The community's own: 6 senior classes shown; no "<5" anywhere on the card.
    expect(w.findAll('[data-testid="kiosk-activity-here"]').map((e) => [e.attributes('data-kind'), e.text()])).toEqual([['senior_class', '本社区 6 场 · 120 人次']])
    expect(w.text()).not.toContain('<5')
    expect(w.text()).toContain('不足 5 场时不单独显示')
    expect(hasWithheld({ ...s, activities: [] })).toBe(true)
    // A street has no area: its own figures, as before.
    expect(find(buildCards(stats({ activitiesArea: area })), 'activities').area).toBeUndefined()
  })

  it('says the period "this month" and "this year" cover, from the first stored day when the history is shorter', () => {
    const period = { month: { from: '2026-12-01', to: '2026-12-05' }, year: { from: '2026-01-01', to: '2026-12-05' }, yearFromFirstData: false }
    const w = mount(KioskCard, { props: { card: find(cards, 'volume'), period }, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(w.findAll('[data-testid="kiosk-period"]').map((e) => e.text())).toEqual(['统计期 2026年12月1日–5日', '统计期 2026年1月1日–12月5日'])
    const short = { ...period, year: { from: '2026-10-26', to: '2026-12-05' }, yearFromFirstData: true }
    const en = mount(KioskCard, { props: { card: find(cards, 'volume'), period: short }, global: { plugins: [createAppI18n('en')] } })
    expect(en.findAll('[data-testid="kiosk-period"]').map((e) => e.text())).toEqual(['Covers 1–5 Dec 2026', 'Covers 26 Oct – 5 Dec 2026 (since records began)'])
    // An older server sends no period: no line rather than a wrong one.
    expect(render(find(cards, 'volume')).find('[data-testid="kiosk-period"]').exists()).toBe(false)
  })

  it('says in the footer when the figures were made, whether they are live, and what "<5" means', () => {
    const props = { updatedAt: '2025-03-10T06:00:00.000Z', state: 'offline' as const, now: Date.parse('2025-03-10T06:01:00Z'), threshold: 5, withheld: false, index: 1, count: 6 }
    const w = mount(KioskFooter, { props, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(w.get('[data-testid="kiosk-updated"]').text()).toBe('数据更新于 14:00')
    expect(w.get('[data-testid="kiosk-connection"]').attributes('data-state')).toBe('offline')
    expect(w.get('[data-testid="kiosk-connection"]').text()).toBe('连接中断，正在重连')
    expect(w.get('[data-testid="kiosk-progress"]').text()).toBe('2 / 6')
    expect(w.get('[data-testid="kiosk-suppressed"]').text()).toContain('“<5”')
    expect(w.find('[data-testid="kiosk-withheld"]').exists()).toBe(false)
    const clean = mount(KioskFooter, { props: { ...props, threshold: null, state: 'live' }, global: { plugins: [createAppI18n('en')] } })
    expect(clean.find('[data-testid="kiosk-suppressed"]').exists()).toBe(false)
    expect(clean.find('[data-testid="kiosk-withheld"]').exists()).toBe(false)
    expect(clean.get('[data-testid="kiosk-connection"]').text()).toBe('Live')
    expect(clean.get('[data-testid="kiosk-updated"]').text()).toBe('Updated 14:00')
  })
  it('explains "*" in the footer when a count on screen is withheld', () => {
    const props = { updatedAt: '2025-03-10T06:00:00.000Z', state: 'live' as const, now: Date.parse('2025-03-10T06:01:00Z'), threshold: null, withheld: true, index: 0, count: 6 }
    const zh = mount(KioskFooter, { props, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(zh.get('[data-testid="kiosk-withheld"]').text()).toContain('“*”')
    expect(zh.find('[data-testid="kiosk-suppressed"]').exists()).toBe(false)
    const en = mount(KioskFooter, { props: { ...props, threshold: 5 }, global: { plugins: [createAppI18n('en')] } })
    expect(en.get('[data-testid="kiosk-withheld"]').text()).toContain('“*”')
    expect(en.get('[data-testid="kiosk-suppressed"]').text()).toContain('“<5”')
  })

  it('tells how to report a problem: 12345 always, the office number, hours and QR code where one is set', () => {
    const none = mount(KioskReport, { props: { report: null }, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(none.get('h2').text()).toBe('如何反映问题')
    expect(none.get('[data-testid="kiosk-hotline"]').text()).toBe('12345')
    expect(none.find('[data-testid="kiosk-office-phone"]').exists()).toBe(false)
    expect(none.find('[data-testid="kiosk-qr"]').exists()).toBe(false)
    expect(none.text()).toContain('社区服务站')
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><rect width="29" height="29" fill="#fff"/></svg>'
    const report = { hotline: '12345', phone: '0951-5012345', hours: '工作日 8:30–17:30', qrSvg: svg, from: { unit: STREET, name: '满城北街街道' } }
    const w = mount(KioskReport, { props: { report }, global: { plugins: [createAppI18n('zh-CN')] } })
    expect(w.get('[data-testid="kiosk-office-phone"]').text()).toBe('0951-5012345')
    expect(w.get('[data-testid="kiosk-office-phone"]').attributes('data-from')).toBe(STREET)
    expect(w.text()).toContain('满城北街街道服务电话')
    expect(w.get('[data-testid="kiosk-office-hours"]').text()).toBe('办公时间 工作日 8:30–17:30')
    // The server's SVG as an image (a data: URL), never as markup in the page.
    const img = w.get('[data-testid="kiosk-qr"]')
    expect(img.attributes('src')).toBe(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`)
    expect(img.attributes('alt')).toBe('扫码反映问题')
    expect(w.find('svg').exists()).toBe(false)
    const en = mount(KioskReport, { props: { report }, global: { plugins: [createAppI18n('en')] } })
    expect(en.get('h2').text()).toBe('How to report a problem')
  })
})
