import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { distanceMetres, fromWgs84, toWgs84 } from '../../shared/geo'
import { maskName, maskPhone } from '../../shared/privacy'

const vectorsFile = fileURLToPath(new URL('../../../shared/reference/geo/gcj_test_vectors.json', import.meta.url))

describe('coordinate conversion', () => {
  it.runIf(existsSync(vectorsFile))('matches the published WGS84 ↔ GCJ-02 vectors within 1 m', () => {
    const { vectors } = JSON.parse(readFileSync(vectorsFile, 'utf8')) as { vectors: { name: string; wgs84: [number, number]; gcj02: [number, number] }[] }
    expect(vectors.length).toBeGreaterThan(0)
    for (const v of vectors) {
      const wgs = { lon: v.wgs84[0], lat: v.wgs84[1] }
      const gcj = { lon: v.gcj02[0], lat: v.gcj02[1] }
      expect(distanceMetres(toWgs84(gcj, 'gcj02'), wgs), v.name).toBeLessThan(1)
      expect(distanceMetres(fromWgs84(wgs, 'gcj02'), gcj), v.name).toBeLessThan(1)
    }
  })

  it('leaves WGS84 alone and round-trips BD-09 within a metre', () => {
    const p = { lon: 106.2265, lat: 38.4867 }
    expect(toWgs84(p, 'wgs84')).toEqual(p)
    const back = toWgs84(fromWgs84(p, 'bd09'), 'bd09')
    expect(distanceMetres(back, p)).toBeLessThan(1)
    // BD-09 is far from WGS84 here (hundreds of metres), so the conversion is not a no-op.
    expect(distanceMetres(fromWgs84(p, 'bd09'), p)).toBeGreaterThan(300)
  })

  it('measures distance', () => {
    // One degree of latitude is about 111 km.
    expect(distanceMetres({ lon: 106, lat: 38 }, { lon: 106, lat: 39 })).toBeCloseTo(111_195, -2)
  })
})

describe('masking', () => {
  it('masks names and phones', () => {
    expect(maskName('张三')).toBe('张*')
    expect(maskName('欧阳娜娜')).toBe('欧***')
    expect(maskPhone('13812341234')).toBe('138****1234')
    expect(maskPhone('+86 138 1234 1234')).toBe('138****1234')
    expect(maskPhone('12345')).toBe('***45')
  })
})
