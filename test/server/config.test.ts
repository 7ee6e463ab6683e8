import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/config'
import { DEFAULT_POLICY } from '../../shared/metrics'

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: 'data',
      sim: true,
      simSpeed: 1,
      timeZone: 'Asia/Shanghai',
      policy: DEFAULT_POLICY,
      kioskThreshold: 5,
      adminPassword: undefined,
    })
  })

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT must be an integer from 0 to 65535, got "eighty"/],
    [{ PORT: '70000' }, /PORT must be an integer/],
    [{ OUTPOST_SIM: 'yes' }, /OUTPOST_SIM must be one of on, off, got "yes"/],
    [{ OUTPOST_SIM_SPEED: '0' }, /OUTPOST_SIM_SPEED must be a number from 0.01/],
    [{ OUTPOST_TZ: 'Mars/Olympus' }, /OUTPOST_TZ must be an IANA time zone/],
    [{ OUTPOST_TZ: 'Asia/Kolkata' }, /whole-hour offsets/],
    [{ OUTPOST_ADMIN_PASSWORD: 'short' }, /OUTPOST_ADMIN_PASSWORD: a password needs at least 8 characters/],
    [{ OUTPOST_KIOSK_THRESHOLD: '0' }, /OUTPOST_KIOSK_THRESHOLD must be an integer from 1 to 100/],
    [{ OUTPOST_POLICY: '/no/such/file.json' }, /OUTPOST_POLICY: cannot read/],
  ]
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a message naming it`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError)
      expect(() => loadConfig(env)).toThrow(message)
    })
  }

  it('reads a policy file over the defaults, and refuses a bad one naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-policy-'))
    try {
      const good = join(dir, 'good.json')
      writeFileSync(good, JSON.stringify({ deadlines: { urgent: { responseSec: 900 } }, satisfactionWeights: { basically_satisfied: 0.6 } }))
      const policy = loadConfig({ OUTPOST_POLICY: good }).policy
      expect(policy.deadlines.urgent).toEqual({ responseSec: 900, resolutionSec: 7200 })
      expect(policy.deadlines.general).toEqual(DEFAULT_POLICY.deadlines.general)
      expect(policy.satisfactionWeights).toEqual({ satisfied: 1, basically_satisfied: 0.6, dissatisfied: 0 })
      const badFile = join(dir, 'bad.json')
      writeFileSync(badFile, JSON.stringify({ deadlines: { urgent: { responseSec: -5 } } }))
      expect(() => loadConfig({ OUTPOST_POLICY: badFile })).toThrow(/policy\/deadlines\/urgent\/responseSec must be >= 1/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
