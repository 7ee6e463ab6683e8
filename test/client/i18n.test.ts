import { describe, expect, it } from 'vitest'
import { ALERT_KINDS, CATEGORIES, PATROL_KINDS, PRIORITIES, SOURCES, STAGES, VERDICTS } from '../../shared/domain'
import type { LiveEventType } from '../../shared/events'
import { createAppI18n, localeFromSearch } from '../../client/i18n'
import en from '../../client/i18n/en'
import zhCN from '../../client/i18n/zh-CN'

function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}

const EVENT_TYPES: LiveEventType[] = ['request.received', 'request.transitioned', 'alert.raised', 'alert.reviewed', 'patrol.reported']

describe('i18n', () => {
  it('picks English only for ?lang=en', () => {
    expect(localeFromSearch('?lang=en')).toBe('en')
    expect(localeFromSearch('?scene=640106&lang=en')).toBe('en')
    expect(localeFromSearch('')).toBe('zh-CN')
    expect(localeFromSearch('?lang=fr')).toBe('zh-CN')
  })

  it('has the same keys in both languages, none empty', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
    for (const messages of [en, zhCN]) {
      for (const key of keys(messages)) expect(key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], messages)).not.toBe('')
    }
  })

  it('names every domain value, in the agreed Chinese', () => {
    const { t } = createAppI18n('zh-CN').global
    const groups: [string, readonly string[]][] = [
      ['source', SOURCES],
      ['category', CATEGORIES],
      ['priority', PRIORITIES],
      ['stage', STAGES],
      ['alertKind', ALERT_KINDS],
      ['verdict', VERDICTS],
      ['patrolKind', PATROL_KINDS],
      ['event', EVENT_TYPES],
    ]
    for (const [group, values] of groups) {
      for (const value of values) {
        const key = `${group}.${value}`
        expect(keys(zhCN), key).toContain(key)
        expect(keys(en), key).toContain(key)
      }
    }
    expect(t('source.hotline')).toBe('12345热线')
    expect(t('source.camera')).toBe('视频发现')
    expect(t('alertKind.ebike_in_elevator')).toBe('电动车进电梯')
    expect(t('stage.reopened')).toBe('重办')
    expect(t('category.utilities')).toBe('水电气暖')
    expect(t('event.alert.raised')).toBe('视频告警')
  })

  it('switches language', () => {
    expect(createAppI18n('en').global.t('connection.offline')).toBe('Offline')
    expect(createAppI18n('zh-CN').global.t('connection.offline')).toBe('已断开')
  })
})
