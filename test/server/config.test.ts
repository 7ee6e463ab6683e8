import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative as relativePath } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../server/config'
import { DEFAULT_POLICY } from '../../shared/metrics'
import { solidRasterArchive } from '../helpers/pmtiles'

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: 'data',
      sim: true,
      simSpeed: 1,
      sqliteSync: 'full',
      timeZone: 'Asia/Shanghai',
      policy: DEFAULT_POLICY,
      kioskThreshold: 5,
      adminPassword: undefined,
      secureCookie: 'auto',
      trustProxy: false,
      ingestRate: 20_000,
      snapshotOrigins: [],
    })
  })

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /PORT must be an integer from 0 to 65535, got "eighty"/],
    [{ PORT: '70000' }, /PORT must be an integer/],
    [{ OUTPOST_SIM: 'yes' }, /OUTPOST_SIM must be one of on, off, got "yes"/],
    [{ OUTPOST_SIM_SPEED: '0' }, /OUTPOST_SIM_SPEED must be a number from 0.01/],
    [{ OUTPOST_SQLITE_SYNC: 'off' }, /OUTPOST_SQLITE_SYNC must be one of full, full-inline, normal, got "off"/],
    [{ OUTPOST_TZ: 'Mars/Olympus' }, /OUTPOST_TZ must be an IANA time zone/],
    [{ OUTPOST_TZ: 'Asia/Kolkata' }, /whole-hour offsets/],
    [{ OUTPOST_ADMIN_PASSWORD: 'short' }, /OUTPOST_ADMIN_PASSWORD: a password needs at least 8 characters/],
    [{ OUTPOST_KIOSK_THRESHOLD: '0' }, /OUTPOST_KIOSK_THRESHOLD must be an integer from 1 to 100/],
    [{ OUTPOST_POLICY: '/no/such/file.json' }, /OUTPOST_POLICY: cannot read/],
    [{ OUTPOST_COOKIE_SECURE: 'yes' }, /OUTPOST_COOKIE_SECURE must be one of auto, on, off, got "yes"/],
    [{ OUTPOST_TRUST_PROXY: 'proxy.lan' }, /OUTPOST_TRUST_PROXY must be on, off or a comma list of addresses and CIDR ranges, got "proxy.lan"/],
    [{ OUTPOST_TRUST_PROXY: '10.0.0.0/33' }, /OUTPOST_TRUST_PROXY .* got "10.0.0.0\/33"/],
    [{ OUTPOST_TRUST_PROXY: '10.0.0.1,,10.0.0.2' }, /OUTPOST_TRUST_PROXY .* got ""/],
    [{ OUTPOST_INGEST_RATE: 'fast' }, /OUTPOST_INGEST_RATE must be an integer from 0 to 10000000, got "fast"/],
    [{ OUTPOST_INGEST_RATE: '-1' }, /OUTPOST_INGEST_RATE must be an integer from 0 to 10000000, got "-1"/],
    [{ OUTPOST_INGEST_RATE: '2.5' }, /OUTPOST_INGEST_RATE must be an integer/],
    [{ OUTPOST_INGEST_RATE: '10000001' }, /OUTPOST_INGEST_RATE must be an integer/],
    [{ OUTPOST_HOTSPOT_RADIUS_M: '0' }, /OUTPOST_HOTSPOT_RADIUS_M must be a number from 1 to 5000, got "0"/],
    [{ OUTPOST_HOTSPOT_RADIUS_M: 'fifty' }, /OUTPOST_HOTSPOT_RADIUS_M must be a number/],
    [{ OUTPOST_HOTSPOT_RADIUS_M: '5001' }, /OUTPOST_HOTSPOT_RADIUS_M must be a number from 1 to 5000/],
    [{ OUTPOST_HOTSPOT_MIN_COUNT: '1' }, /OUTPOST_HOTSPOT_MIN_COUNT must be an integer from 2 to 10000, got "1"/],
    [{ OUTPOST_HOTSPOT_MIN_COUNT: '3.5' }, /OUTPOST_HOTSPOT_MIN_COUNT must be an integer/],
    [{ OUTPOST_HOTSPOT_WINDOW_DAYS: '0' }, /OUTPOST_HOTSPOT_WINDOW_DAYS must be an integer from 1 to 400, got "0"/],
    [{ OUTPOST_HOTSPOT_WINDOW_DAYS: '401' }, /OUTPOST_HOTSPOT_WINDOW_DAYS must be an integer from 1 to 400/],
    [{ OUTPOST_DATABASE_URL: 'mysql://db.lan/outpost' }, /OUTPOST_DATABASE_URL must be a PostgreSQL URL such as postgres:\/\/outpost@10.0.0.9:5432\/outpost, got "mysql:\/\/db.lan\/outpost"/],
    [{ OUTPOST_DATABASE_URL: 'db.lan:5432' }, /OUTPOST_DATABASE_URL must be a PostgreSQL URL/],
    // The password is never echoed back.
    [{ OUTPOST_DATABASE_URL: 'http://outpost:s3cret@db.lan/outpost' }, /got "http:\/\/outpost:\*\*\*@db.lan\/outpost"/],
    [{ OUTPOST_SNAPSHOT_ORIGINS: '10.0.0.7' }, /OUTPOST_SNAPSHOT_ORIGINS must be a comma list of origins scheme:\/\/host\[:port\] such as http:\/\/10.0.0.7, got "10.0.0.7"/],
    [{ OUTPOST_SNAPSHOT_ORIGINS: 'http://10.0.0.7/snap' }, /OUTPOST_SNAPSHOT_ORIGINS .* got "http:\/\/10.0.0.7\/snap"/],
    [{ OUTPOST_SNAPSHOT_ORIGINS: 'http://*.lan' }, /OUTPOST_SNAPSHOT_ORIGINS .* got "http:\/\/\*.lan"/],
    [{ OUTPOST_SNAPSHOT_ORIGINS: 'ftp://10.0.0.7' }, /OUTPOST_SNAPSHOT_ORIGINS .* got "ftp:\/\/10.0.0.7"/],
    [{ OUTPOST_SNAPSHOT_ORIGINS: 'http://user:pw@10.0.0.7' }, /OUTPOST_SNAPSHOT_ORIGINS .* got "http:\/\/user:pw@10.0.0.7"/],
    [{ OUTPOST_SNAPSHOT_ORIGINS: 'http://10.0.0.7,,http://nvr.local' }, /OUTPOST_SNAPSHOT_ORIGINS .* got ""/],
  ]
  it('takes the three durability modes of the SQLite store', () => {
    for (const mode of ['full', 'full-inline', 'normal'] as const) expect(loadConfig({ OUTPOST_SQLITE_SYNC: mode }).sqliteSync).toBe(mode)
  })

  it('takes a PostgreSQL URL for the shared store, and none by default', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined()
    expect(loadConfig({ OUTPOST_DATABASE_URL: 'postgres://outpost@10.0.0.9:5432/outpost' }).databaseUrl).toBe('postgres://outpost@10.0.0.9:5432/outpost')
    expect(loadConfig({ OUTPOST_DATABASE_URL: 'postgresql:///outpost?host=/var/run/postgresql' }).databaseUrl).toBe('postgresql:///outpost?host=/var/run/postgresql')
  })

  it('takes the ingest rate per key, 0 turning the limit off', () => {
    expect(loadConfig({ OUTPOST_INGEST_RATE: '0' }).ingestRate).toBe(0)
    expect(loadConfig({ OUTPOST_INGEST_RATE: ' 500 ' }).ingestRate).toBe(500)
    expect(loadConfig({ OUTPOST_INGEST_RATE: '10000000' }).ingestRate).toBe(10_000_000)
  })

  it('takes the hotspot settings, 50 m / 3 / 30 days by default', () => {
    expect(loadConfig({}).hotspots).toEqual({ radiusM: 50, minCount: 3, windowDays: 30 })
    expect(loadConfig({ OUTPOST_HOTSPOT_RADIUS_M: '75.5', OUTPOST_HOTSPOT_MIN_COUNT: '5', OUTPOST_HOTSPOT_WINDOW_DAYS: '7' }).hotspots).toEqual({ radiusM: 75.5, minCount: 5, windowDays: 7 })
  })

  it('takes the snapshot origins as bare origins, normalised as a URL would have them', () => {
    expect(loadConfig({ OUTPOST_SNAPSHOT_ORIGINS: 'http://10.0.0.7, HTTP://NVR.local:8080,https://cam.lan:443,http://[fd00::7]:80' }).snapshotOrigins).toEqual([
      'http://10.0.0.7',
      'http://nvr.local:8080',
      'https://cam.lan',
      'http://[fd00::7]',
    ])
  })

  it('takes the Secure flag of the session cookie: auto, on or off', () => {
    for (const mode of ['auto', 'on', 'off'] as const) expect(loadConfig({ OUTPOST_COOKIE_SECURE: mode }).secureCookie).toBe(mode)
  })

  it('trusts no proxy by default, every proxy with on, or the listed addresses and ranges', () => {
    expect(loadConfig({ OUTPOST_TRUST_PROXY: 'off' }).trustProxy).toBe(false)
    expect(loadConfig({ OUTPOST_TRUST_PROXY: 'on' }).trustProxy).toBe(true)
    expect(loadConfig({ OUTPOST_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback' }).trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback'])
  })

  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a message naming it`, () => {
      expect(() => loadConfig(env)).toThrow(ConfigError)
      expect(() => loadConfig(env)).toThrow(message)
    })
  }

  it('takes a geography file and a camera file that can be read, and names the variable of one that cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-files-'))
    try {
      expect(loadConfig({})).toMatchObject({ geographyFile: undefined, camerasFile: undefined })
      const geo = join(dir, 'geo.json')
      const cams = join(dir, 'cams.csv')
      writeFileSync(geo, '{}')
      writeFileSync(cams, 'id,name,lon,lat\n')
      expect(loadConfig({ OUTPOST_GEOGRAPHY: geo, OUTPOST_CAMERAS: cams })).toMatchObject({ geographyFile: geo, camerasFile: cams })
      expect(() => loadConfig({ OUTPOST_GEOGRAPHY: join(dir, 'missing.json') })).toThrow(/^OUTPOST_GEOGRAPHY: cannot read .*missing\.json/)
      expect(() => loadConfig({ OUTPOST_CAMERAS: dir })).toThrow(/^OUTPOST_CAMERAS: cannot read .*not a file/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

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

  describe('the base map', () => {
    it('takes a style URL or a PMTiles file, with the coordinate system of either', () => {
      expect(loadConfig({}).basemap).toBeUndefined()
      expect(loadConfig({ OUTPOST_BASEMAP_STYLE: '/basemap/style.json', OUTPOST_BASEMAP_CRS: 'gcj02' }).basemap).toEqual({ style: '/basemap/style.json', crs: 'gcj02' })
      const dir = mkdtempSync(join(tmpdir(), 'outpost-basemap-'))
      try {
        const file = join(dir, 'district.pmtiles')
        writeFileSync(file, solidRasterArchive([10, 20, 30], [106, 38.4, 106.3, 38.6], 0, 2))
        expect(loadConfig({ OUTPOST_BASEMAP_PMTILES: file }).basemap).toEqual({ pmtiles: file, crs: 'wgs84' })
        expect(loadConfig({ OUTPOST_BASEMAP_PMTILES: file, OUTPOST_BASEMAP_CRS: 'gcj02' }).basemap).toEqual({ pmtiles: file, crs: 'gcj02' })
        // A relative path is the server's working directory's.
        const relative = relativePath(process.cwd(), file)
        expect(loadConfig({ OUTPOST_BASEMAP_PMTILES: relative }).basemap).toEqual({ pmtiles: file, crs: 'wgs84' })
        expect(() => loadConfig({ OUTPOST_BASEMAP_PMTILES: file, OUTPOST_BASEMAP_STYLE: '/basemap/style.json' })).toThrow(
          /OUTPOST_BASEMAP_STYLE and OUTPOST_BASEMAP_PMTILES are both set/,
        )
        expect(() => loadConfig({ OUTPOST_BASEMAP_PMTILES: file, OUTPOST_BASEMAP_CRS: 'bd09' })).toThrow(/OUTPOST_BASEMAP_CRS must be one of wgs84, gcj02, got "bd09"/)
        const notAnArchive = join(dir, 'tiles.mbtiles')
        writeFileSync(notAnArchive, Buffer.alloc(1024, 7))
        expect(() => loadConfig({ OUTPOST_BASEMAP_PMTILES: notAnArchive })).toThrow(ConfigError)
        expect(() => loadConfig({ OUTPOST_BASEMAP_PMTILES: notAnArchive })).toThrow(/OUTPOST_BASEMAP_PMTILES: .*tiles\.mbtiles is not a PMTiles archive/)
        expect(() => loadConfig({ OUTPOST_BASEMAP_PMTILES: join(dir, 'none.pmtiles') })).toThrow(/OUTPOST_BASEMAP_PMTILES: .*none\.pmtiles does not exist/)
        expect(() => loadConfig({ OUTPOST_BASEMAP_STYLE: 'style.json' })).toThrow(/OUTPOST_BASEMAP_STYLE must be a style URL/)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })
})
