import { describe, expect, it } from 'vitest'
import { fitStage } from '../../client/composables/use-stage-scale'
import { homeScene, liveQuery, parseWallParams, resumeInstant, sceneAt } from '../../client/wall/params'

describe('parseWallParams', () => {
  it('has defaults for an empty query: no scene (the home unit), no rotation, live, no chime', () => {
    expect(parseWallParams({})).toEqual({ scene: null, rotate: [], everySec: 60, playback: null, chime: false, figure: 'perThousand' })
  })

  it('reads scene, rotation, playback, chime and figure', () => {
    const p = parseWallParams({ scene: '640106001', rotate: '640106,640106001, 640106002', every: '30', playback: '2026-11-20', speed: '120', chime: 'on', figure: 'overdue' })
    expect(p).toEqual({
      scene: '640106001',
      rotate: ['640106', '640106001', '640106002'],
      everySec: 30,
      playback: { date: '2026-11-20', speed: 120 },
      chime: true,
      figure: 'overdue',
    })
  })

  it('ignores what is malformed rather than asking the server for it', () => {
    const p = parseWallParams({ scene: '../etc', rotate: 'a b,<x>', every: 'soon', playback: '2026-02-30', figure: 'colour', chime: 'yes' })
    expect(p.scene).toBeNull()
    expect(p.rotate).toEqual([])
    expect(p.everySec).toBe(60)
    expect(p.playback).toBeNull()
    expect(p.figure).toBe('perThousand')
    expect(p.chime).toBe(false)
  })

  it('clamps rotation periods and playback speeds to what a wall can show', () => {
    expect(parseWallParams({ rotate: 'a,b', every: '1' }).everySec).toBe(10)
    expect(parseWallParams({ playback: '2026-11-20', speed: '0' }).playback?.speed).toBe(1)
    expect(parseWallParams({ playback: '2026-11-20', speed: '1e9' }).playback?.speed).toBe(86_400)
    expect(parseWallParams({ playback: '2026-11-20' }).playback?.speed).toBe(60)
  })

  it('takes the first of repeated parameters, and a rotation of one as a scene', () => {
    expect(parseWallParams({ scene: ['640106002', '640106003'] }).scene).toBe('640106002')
    expect(parseWallParams({ rotate: '640106005' })).toMatchObject({ scene: '640106005', rotate: [] })
  })
})

describe('sceneAt', () => {
  const params = { scene: null, rotate: ['640106', '640106001', '640106002'], everySec: 60 }

  it('shows each scene in turn for its period, then starts over', () => {
    const at = (sec: number) => sceneAt(params, sec * 1000).scene
    expect([at(0), at(59.9), at(60), at(119), at(120), at(180), at(181)]).toEqual(['640106', '640106', '640106001', '640106001', '640106002', '640106', '640106'])
    expect(sceneAt(params, 61_000)).toEqual({ scene: '640106001', index: 1, count: 3 })
  })

  it('without a rotation, is the fixed scene or the home unit', () => {
    expect(sceneAt({ scene: '640106003', rotate: [], everySec: 60 }, 1e9)).toEqual({ scene: '640106003', index: 0, count: 1 })
    expect(sceneAt({ scene: null, rotate: [], everySec: 60 }, 0, '640106004').scene).toBe('640106004')
    // No built-in district: until the home unit is known there is no scene.
    expect(sceneAt({ scene: null, rotate: [], everySec: 60 }, 0).scene).toBeNull()
  })
})

describe('homeScene', () => {
  const geography = (district: string | null, units: [string, string | null][]) => ({
    district: district ? { id: district } : null,
    features: units.map(([id, parentId]) => ({ properties: { id, parentId } })),
  })
  const own = geography('420199', [
    ['420199', null],
    ['420199001', '420199'],
  ])

  it('is the district of the geography in use for the center, whatever unit its account names', () => {
    expect(homeScene({ role: 'center', unit: '640106' }, own)).toBe('420199')
    expect(homeScene(null, own)).toBe('420199')
  })

  it("is a leader's own unit", () => {
    expect(homeScene({ role: 'leader', unit: '420199001' }, own)).toBe('420199001')
  })

  it("is the top of a leader's scope without a district, and the account's unit without a geography", () => {
    expect(homeScene(null, geography(null, [['420199001001', '420199001'], ['42019900100101', '420199001001']]))).toBe('420199001001')
    expect(homeScene({ role: 'center', unit: '420199' }, geography(null, []))).toBe('420199')
    expect(homeScene(null, geography(null, []))).toBeNull()
  })
})

describe('liveQuery', () => {
  it('drops playback and speed, keeps the rest', () => {
    expect(liveQuery({ playback: '2026-11-20', speed: '60', scene: '640106001', lang: 'en' })).toEqual({ scene: '640106001', lang: 'en' })
  })
})

describe('fitStage', () => {
  it('is 1 on 1080p and 2 on 4K, with no letterbox', () => {
    expect(fitStage(1920, 1080)).toEqual({ scale: 1, x: 0, y: 0 })
    expect(fitStage(3840, 2160)).toEqual({ scale: 2, x: 0, y: 0 })
  })

  it('letterboxes other shapes, centred, never cropping the stage', () => {
    const wide = fitStage(2560, 1080)
    expect(wide).toEqual({ scale: 1, x: 320, y: 0 })
    const tall = fitStage(1920, 1200)
    expect(tall.scale).toBe(1)
    expect(tall.y).toBe(60)
    const small = fitStage(1366, 768)
    expect(1920 * small.scale).toBeLessThanOrEqual(1366)
    expect(1080 * small.scale).toBeLessThanOrEqual(768)
  })
})

describe('resumeInstant', () => {
  it('carries a replay of the same day on at the instant the last scene had reached', () => {
    const previous = { date: '2026-11-20', now: 1_763_600_000_000, status: 'playing' }
    expect(resumeInstant(previous, '2026-11-20')).toBe(previous.now)
    expect(resumeInstant({ ...previous, status: 'loading' }, '2026-11-20')).toBe(previous.now)
    // A first replay, another day, or one that failed starts at the start of the day.
    expect(resumeInstant(null, '2026-11-20')).toBeUndefined()
    expect(resumeInstant(previous, '2026-11-21')).toBeUndefined()
    expect(resumeInstant({ ...previous, status: 'error' }, '2026-11-20')).toBeUndefined()
  })
})
