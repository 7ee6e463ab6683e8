// The helpers that let hour-dependent tests run at any hour must hold at every hour of the year.
import { describe, expect, it } from 'vitest'
import { daytimeClock, daytimeZone, localHour } from '../../helpers/daytime'
import { HOUR_MS } from '../../../shared/time'

// Every 20 minutes of 2026, across the summer-time changes of London and Los Angeles.
const instants = Array.from({ length: 365 * 72 }, (_, i) => Date.UTC(2026, 0, 1) + i * 20 * 60_000)

describe('test clocks', () => {
  it('reads the local hour of a zone', () => {
    expect(localHour(Date.UTC(2026, 10, 29, 16, 30), 'Asia/Shanghai')).toBe(0.5)
    expect(localHour(Date.UTC(2026, 6, 1, 23, 0), 'Europe/London')).toBe(0)
  })

  it('finds a zone in daytime at any moment, the center’s own when it is', () => {
    for (const now of instants) {
      const zone = daytimeZone(now)
      const hour = localHour(now, zone)
      expect(hour >= 6 && hour < 22, `${new Date(now).toISOString()} ${zone} ${hour}`).toBe(true)
      const shanghai = localHour(now, 'Asia/Shanghai')
      if (shanghai >= 6 && shanghai < 22) expect(zone).toBe('Asia/Shanghai')
    }
  })

  it('moves the clock back to midday when it is night, never forward', () => {
    for (const now of instants.filter((_, i) => i % 7 === 0)) {
      const shift = daytimeClock('Asia/Shanghai', now)() - Date.now()
      expect(shift).toBeLessThanOrEqual(0)
      expect(shift).toBeGreaterThan(-24 * HOUR_MS)
      // To the second: the two reads of the real clock above are a few µs apart.
      const hour = localHour(now + Math.round(shift / 1000) * 1000, 'Asia/Shanghai')
      expect(hour >= 9 && hour < 18, `${new Date(now).toISOString()} → ${hour}`).toBe(true)
    }
  })
})
