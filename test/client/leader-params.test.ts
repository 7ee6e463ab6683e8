import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { apiWindow, DEFAULT_FIGURE, leaderQuery, parseLeaderParams, windowIsLive, type LeaderParams } from '../../client/leader/params'

const TZ = 'Asia/Shanghai'
// 2026-11-28 10:00 in Yinchuan; 2026-11-28 01:30 UTC is still the 28th there, 2026-11-27 20:00 UTC already is.
const NOW = Date.parse('2026-11-28T10:00:00+08:00')

describe('leader URL ⇄ state', () => {
  it('reads a shared link back into the same state', () => {
    const states: LeaderParams[] = [
      { unit: '640106001', window: 'today', from: null, to: null, figure: 'onTimeResponse' },
      { unit: '640106001001', window: '7d', from: null, to: null, figure: 'resolution' },
      { unit: '64010600100101', window: 'custom', from: '2026-11-01', to: '2026-11-15', figure: 'overdue' },
      { unit: null, window: '30d', from: null, to: null, figure: 'coverage' },
    ]
    for (const state of states) expect(parseLeaderParams(leaderQuery(state))).toEqual(state)
  })

  it('writes the URL the issue names, and keeps keys it does not own', () => {
    const query = leaderQuery({ unit: '640106001', window: 'custom', from: '2026-11-01', to: '2026-11-15', figure: 'satisfaction' }, { lang: 'en', unit: 'old' })
    expect(query).toEqual({ lang: 'en', unit: '640106001', window: 'custom', from: '2026-11-01', to: '2026-11-15', figure: 'satisfaction' })
    // from/to only with a custom window
    expect(leaderQuery({ unit: '640106001', window: '7d', from: '2026-11-01', to: '2026-11-02', figure: 'resolution' })).toEqual({
      unit: '640106001',
      window: '7d',
      figure: 'resolution',
    })
  })

  it('survives a round trip through the router', async () => {
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/leader', component: { render: () => null } }] })
    const state: LeaderParams = { unit: '640106001001', window: 'custom', from: '2026-10-01', to: '2026-10-31', figure: 'responseP90' }
    await router.push({ path: '/leader', query: leaderQuery(state, { lang: 'en' }) })
    expect(router.currentRoute.value.fullPath).toBe('/leader?lang=en&unit=640106001001&window=custom&from=2026-10-01&to=2026-10-31&figure=responseP90')
    expect(parseLeaderParams(router.currentRoute.value.query)).toEqual(state)
  })

  it('falls back on anything malformed', () => {
    expect(parseLeaderParams({})).toEqual({ unit: null, window: 'today', from: null, to: null, figure: DEFAULT_FIGURE })
    expect(parseLeaderParams({ unit: '6401<script>', window: 'year', figure: 'nope' })).toEqual({
      unit: null,
      window: 'today',
      from: null,
      to: null,
      figure: DEFAULT_FIGURE,
    })
    // custom needs two real dates
    expect(parseLeaderParams({ window: 'custom', from: '2026-02-30', to: '2026-03-01' }).window).toBe('today')
    expect(parseLeaderParams({ window: 'custom', from: '2026-03-01' }).window).toBe('today')
    // swapped dates are put in order
    expect(parseLeaderParams({ window: 'custom', from: '2026-03-10', to: '2026-03-01' })).toMatchObject({ from: '2026-03-01', to: '2026-03-10' })
    // repeated keys: the first wins
    expect(parseLeaderParams({ unit: ['640106002', '640106003'] }).unit).toBe('640106002')
  })

  it('turns the window into the API window: local dates, the last day included', () => {
    expect(apiWindow({ window: 'today', from: null, to: null }, NOW, TZ)).toEqual({ from: '2026-11-28', to: '2026-11-29' })
    expect(apiWindow({ window: '7d', from: null, to: null }, NOW, TZ)).toEqual({ from: '2026-11-22', to: '2026-11-29' })
    expect(apiWindow({ window: '30d', from: null, to: null }, NOW, TZ)).toEqual({ from: '2026-10-30', to: '2026-11-29' })
    expect(apiWindow({ window: 'custom', from: '2026-11-01', to: '2026-11-15' }, NOW, TZ)).toEqual({ from: '2026-11-01', to: '2026-11-16' })
    // 23:30 UTC on the 27th is already the 28th in the center's zone
    expect(apiWindow({ window: 'today', from: null, to: null }, Date.parse('2026-11-27T23:30:00Z'), TZ)).toEqual({ from: '2026-11-28', to: '2026-11-29' })
  })

  it('knows whether a window reaches today', () => {
    expect(windowIsLive({ window: '7d', from: null, to: null }, NOW, TZ)).toBe(true)
    expect(windowIsLive({ window: 'custom', from: '2026-11-01', to: '2026-11-27' }, NOW, TZ)).toBe(false)
    expect(windowIsLive({ window: 'custom', from: '2026-11-01', to: '2026-11-28' }, NOW, TZ)).toBe(true)
  })
})
