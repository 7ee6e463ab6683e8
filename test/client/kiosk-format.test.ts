import { describe, expect, it } from 'vitest'
import { createAppI18n } from '../../client/i18n'
import { countValue, durationParts, formatCount, formatDuration, formatPeriod, formatRate, formatUpdatedAt, isSuppressed, isWithheld, NO_VALUE } from '../../client/kiosk/format'
import { DEFAULT_EVERY_SEC, parseEvery, parseKioskQuery } from '../../client/kiosk/params'

const zh = createAppI18n('zh-CN').global.t
const en = createAppI18n('en').global.t

describe('kiosk formatters', () => {
  it('shows a suppressed count exactly as it came, and groups the digits of others', () => {
    expect(formatCount('<5', 'zh-CN')).toBe('<5')
    expect(formatCount('<10', 'en')).toBe('<10')
    expect(formatCount(0, 'zh-CN')).toBe('0')
    expect(formatCount(42, 'zh-CN')).toBe('42')
    expect(formatCount(12345, 'zh-CN')).toBe('12,345')
    expect(formatCount(12345, 'en')).toBe('12,345')
    expect(countValue('<5')).toBeNull()
    expect(countValue(7)).toBe(7)
  })

  it('tells a count too small to show ("<5") from one withheld to protect a small one ("*")', () => {
    expect(formatCount('*', 'zh-CN')).toBe('*')
    expect(countValue('*')).toBeNull()
    expect([isSuppressed('<5'), isSuppressed('*'), isSuppressed(3)]).toEqual([true, false, false])
    expect([isWithheld('*'), isWithheld('<5'), isWithheld(3)]).toEqual([true, false, false])
  })

  it('shows rates in percent with one decimal, and a dash when there are too few', () => {
    expect(formatRate(0.9347)).toBe('93.5%')
    expect(formatRate(1)).toBe('100.0%')
    expect(formatRate(0)).toBe('0.0%')
    expect(formatRate(0.99999)).toBe('100.0%')
    expect(formatRate(null)).toBe(NO_VALUE)
    expect(formatRate(Number.NaN)).toBe(NO_VALUE)
  })

  it('says durations as a person would, to the minute', () => {
    expect(durationParts(null)).toBeNull()
    expect(durationParts(-5)).toBeNull()
    expect(durationParts(20)).toEqual({ kind: 'underMinute' })
    expect(durationParts(42 * 60 + 10)).toEqual({ kind: 'minutes', m: 42 })
    expect(durationParts(59 * 60 + 40)).toEqual({ kind: 'hours', h: 1 })
    expect(durationParts(3900)).toEqual({ kind: 'hoursMinutes', h: 1, m: 5 })
    expect(durationParts(26 * 3600 + 20 * 60)).toEqual({ kind: 'daysHours', d: 1, h: 2 })
    expect(durationParts(2 * 86400 + 10 * 60)).toEqual({ kind: 'days', d: 2 })

    expect(formatDuration(42 * 60, zh)).toBe('42 分钟')
    expect(formatDuration(3900, zh)).toBe('1 小时 5 分')
    expect(formatDuration(7200, zh)).toBe('2 小时')
    expect(formatDuration(10, zh)).toBe('不到 1 分钟')
    expect(formatDuration(26 * 3600, zh)).toBe('1 天 2 小时')
    expect(formatDuration(null, zh)).toBe(NO_VALUE)
    expect(formatDuration(42 * 60, en)).toBe('42 min')
    expect(formatDuration(3900, en)).toBe('1 h 5 min')
  })

  it('gives the time of the figures in the center’s zone, with the date when it is not today', () => {
    const now = Date.parse('2025-03-10T06:00:00Z') // 14:00 in Yinchuan
    expect(formatUpdatedAt('2025-03-10T05:59:30Z', 'zh-CN', now)).toBe('13:59')
    // 23:30 UTC on the 9th is 07:30 on the 10th in Asia/Shanghai: still "today" there.
    expect(formatUpdatedAt('2025-03-09T23:30:00Z', 'zh-CN', now)).toBe('07:30')
    expect(formatUpdatedAt('2025-03-09T15:00:00Z', 'zh-CN', now)).toBe('3月9日 23:00')
    expect(formatUpdatedAt('2025-03-09T15:00:00Z', 'en', now)).toBe('March 9 23:00')
    expect(formatUpdatedAt('not a date', 'zh-CN', now)).toBe(NO_VALUE)
  })
})

describe('formatPeriod', () => {
  it('words a span of local dates in Chinese and English, shortest first', () => {
    expect(formatPeriod('2026-01-01', '2026-12-05', 'zh-CN')).toBe('2026年1月1日–12月5日')
    expect(formatPeriod('2026-12-01', '2026-12-05', 'zh-CN')).toBe('2026年12月1日–5日')
    expect(formatPeriod('2026-12-05', '2026-12-05', 'zh-CN')).toBe('2026年12月5日')
    expect(formatPeriod('2025-12-20', '2026-01-03', 'zh-CN')).toBe('2025年12月20日–2026年1月3日')
    expect(formatPeriod('2026-01-01', '2026-12-05', 'en')).toBe('1 Jan – 5 Dec 2026')
    expect(formatPeriod('2026-12-01', '2026-12-05', 'en')).toBe('1–5 Dec 2026')
    expect(formatPeriod('2026-12-05', '2026-12-05', 'en')).toBe('5 Dec 2026')
    expect(formatPeriod('2025-12-20', '2026-01-03', 'en')).toBe('20 Dec 2025 – 3 Jan 2026')
    expect(formatPeriod('soon', '2026-01-03', 'en')).toBe(NO_VALUE)
  })
})

describe('kiosk address', () => {
  it('needs a unit, and refuses one that cannot be a unit code', () => {
    expect(parseKioskQuery({})).toEqual({ unit: null, unitProblem: 'missing', everyMs: 12_000 })
    expect(parseKioskQuery({ unit: '' }).unitProblem).toBe('missing')
    expect(parseKioskQuery({ unit: '640106001' })).toEqual({ unit: '640106001', unitProblem: null, everyMs: 12_000 })
    expect(parseKioskQuery({ unit: ['640106001001', 'x'] }).unit).toBe('640106001001')
    expect(parseKioskQuery({ unit: '../../api' })).toMatchObject({ unit: null, unitProblem: 'invalid' })
    expect(parseKioskQuery({ unit: '6401<script>' })).toMatchObject({ unit: null, unitProblem: 'invalid' })
  })

  it('takes ?every= in seconds, kept between 3 s and 10 min', () => {
    expect(parseEvery(undefined)).toBe(DEFAULT_EVERY_SEC)
    expect(parseEvery('20')).toBe(20)
    expect(parseEvery('1')).toBe(3)
    expect(parseEvery('100000')).toBe(600)
    expect(parseEvery('soon')).toBe(DEFAULT_EVERY_SEC)
    expect(parseEvery('-4')).toBe(DEFAULT_EVERY_SEC)
    expect(parseKioskQuery({ unit: '640106001', every: '5' }).everyMs).toBe(5000)
  })
})
