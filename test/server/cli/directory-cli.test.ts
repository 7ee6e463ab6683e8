// npm run directory end to end: the real command in a child process on a temp data dir, then what
// the server reads from the same files; and npm run users writing 'user.change' to the audit trail.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqliteAuditLog } from '../../../server/audit/audit-log'
import { run as users } from '../../../server/cli/users'
import { run as directoryRun, UsageError } from '../../../server/cli/directory'
import { DirectoryStore } from '../../../server/directory/directory-store'
import { buildTestApp } from '../../helpers/build-app'

const A = '640106001'
let dir: string

let previousDataDir: string | undefined
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'outpost-directory-cli-'))
  previousDataDir = process.env.OUTPOST_DATA_DIR
  process.env.OUTPOST_DATA_DIR = dir
})
afterAll(() => {
  if (previousDataDir === undefined) delete process.env.OUTPOST_DATA_DIR
  else process.env.OUTPOST_DATA_DIR = previousDataDir
  rmSync(dir, { recursive: true, force: true })
})

/** The command in this process (the same data dir): its lines, or its UsageError. */
async function inProcess(...args: string[]): Promise<string> {
  const lines: string[] = []
  await directoryRun(args, (line) => lines.push(line))
  return lines.join('\n')
}

function directory(...args: string[]) {
  const res = spawnSync('npx', ['tsx', 'server/cli/directory.ts', ...args], {
    env: { ...process.env, OUTPOST_DATA_DIR: dir, OUTPOST_GEOGRAPHY: '' },
    encoding: 'utf8',
    timeout: 60_000,
  })
  return { code: res.status, out: res.stdout, err: res.stderr }
}

describe('npm run directory', () => {
  it('adds, lists and removes departments, rota and experts; the server reads them; the audit trail has the OS user', async () => {
    expect(directory('department', 'add', 'zj-jf', '--name', '金凤区住建局', '--kind', 'housing')).toMatchObject({ code: 0 })
    const rota = directory('rota', 'add', 'zj-jf', '--street', A, '--weekday', '1', '--from', '09:00', '--to', '12:00')
    expect(rota.code, rota.err).toBe(0)
    const rotaId = /rota (rota-\d+)/.exec(rota.out)![1]!
    expect(await inProcess('expert', 'add', 'law-01', '--pool', 'legal', '--name', '王律师', '--contact', '13912345678')).toMatch(/added expert law-01/)
    const list = directory('list')
    expect(list.code).toBe(0)
    expect(list.out).toContain('zj-jf\thousing\t金凤区住建局')
    expect(list.out).toContain(`${rotaId}\tzj-jf\t${A}`)
    expect(list.out).toContain('law-01\tlegal\t王律师\t13912345678')

    // The server on the same files.
    const audit = SqliteAuditLog.open(dir)
    const store = DirectoryStore.open(dir, { audit, isStreet: () => true })
    const t = await buildTestApp({ directory: store, audit })
    try {
      const read = (await t.inject({ method: 'GET', url: '/api/v1/directory' })).json()
      expect(read.departments).toEqual([{ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }])
      expect(read.rota).toEqual([{ id: rotaId, departmentId: 'zj-jf', streetId: A, weekday: 1, from: '09:00', to: '12:00' }])
      // Removed by the command while the server runs: gone at the next read.
      expect(directory('rota', 'remove', rotaId)).toMatchObject({ code: 0 })
      expect((await t.inject({ method: 'GET', url: '/api/v1/directory' })).json().rota).toEqual([])
      const entries = (await t.inject({ method: 'GET', url: '/api/v1/audit' })).json().entries as { actor: object; target: string; unit: string | null }[]
      expect(entries.map((e) => e.target)).toEqual([`rota:${rotaId}`, 'expert:law-01', `rota:${rotaId}`, 'department:zj-jf'])
      for (const e of entries) expect(e.actor).toEqual({ kind: 'cli', name: userInfo().username })
      expect(entries[0]!.unit).toBe(A)
    } finally {
      await t.close()
      await store.close()
      await audit.close()
    }
    expect(await inProcess('expert', 'remove', 'law-01')).toBe('removed expert law-01')
    expect(await inProcess('department', 'remove', 'zj-jf')).toBe('removed department zj-jf')
    expect(await inProcess('list')).not.toContain('zj-jf')
  }, 120_000)

  it('exits 2 on bad input, naming the field', async () => {
    // The exit code and the usage, from the real command.
    for (const args of [[], ['rota', 'add', 'zj', '--street', A, '--weekday', '9', '--from', '09:00', '--to', '12:00']]) {
      const res = directory(...args)
      expect(res.code, args.join(' ')).toBe(2)
      expect(res.err).toContain('usage: npm run directory')
    }
    // Every rule, in this process: each is a UsageError (exit 2) naming the field.
    const cases: [string[], RegExp][] = [
      [[], /no command/],
      [['department', 'add', 'x', '--name', 'X', '--kind', 'army'], /--kind/],
      [['department', 'add', 'bad id!', '--name', 'X', '--kind', 'housing'], /<id>/],
      [['department', 'add', 'x', '--kind', 'housing'], /--name/],
      [['rota', 'add', 'nobody', '--street', A, '--weekday', '1', '--from', '09:00', '--to', '12:00'], /<departmentId>.*no department/],
      [['rota', 'add', 'zj', '--street', '640106001001', '--weekday', '1', '--from', '09:00', '--to', '12:00'], /--street/],
      [['rota', 'add', 'zj', '--street', A, '--weekday', '9', '--from', '09:00', '--to', '12:00'], /--weekday/],
      [['rota', 'add', 'zj', '--street', A, '--weekday', '1', '--from', '12:00', '--to', '09:00'], /--to/],
      [['expert', 'add', 'e', '--pool', 'tarot', '--name', 'n', '--contact', 'c'], /--pool/],
      [['expert', 'remove', 'nobody'], /no expert/],
      [['department', 'add', 'x', '--colour', 'red'], /colour/],
    ]
    for (const [args, message] of cases) {
      const error = await inProcess(...args).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error, args.join(' ')).toBeInstanceOf(UsageError)
      expect((error as Error).message, args.join(' ')).toMatch(message)
    }
  }, 240_000)

  it('sets, lists and removes a unit’s report contact; refuses a mobile, a grid and a missing phone; the kiosk shows it', async () => {
    const set = directory('contact', 'set', A, '--phone', '0951-5012345', '--qr', 'https://example.org/r?u=640106001', '--hours', '工作日 8:30–17:30')
    expect(set.code, set.err).toBe(0)
    expect(set.out).toContain('set the report contact of 640106001')
    expect(await inProcess('list')).toMatch(/report contacts:\n {2}640106001 \S+\t0951-5012345\t工作日 8:30–17:30\thttps:\/\/example.org\/r\?u=640106001/)
    const cases: [string[], RegExp][] = [
      [['contact', 'set', A, '--phone', '139 1234 5678'], /--phone: .*not a mobile/],
      [['contact', 'set', A], /--phone is required/],
      [['contact', 'set', '640106001001001', '--phone', '0951-5012345'], /<unit id>: /],
      [['contact', 'set', '640106999', '--phone', '0951-5012345'], /<unit id>: no unit/],
      [['contact', 'set', A, '--phone', '0951-5012345', '--qr', 'ftp://x'], /--qr/],
      [['contact', 'add', A, '--phone', '0951-5012345'], /contact needs set or remove/],
      [['contact', 'remove', '640106002'], /no contact/],
    ]
    for (const [args, message] of cases) {
      const error = await inProcess(...args).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error, args.join(' ')).toBeInstanceOf(UsageError)
      expect((error as Error).message, args.join(' ')).toMatch(message)
    }
    // The server reads the same file: the community's kiosk inherits its street's contact.
    const audit = SqliteAuditLog.open(dir)
    const store = DirectoryStore.open(dir, { audit, isStreet: () => true })
    const t = await buildTestApp({ directory: store, audit })
    try {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/public/stats?unit=640106001001' })
      expect(res.json().report).toMatchObject({ hotline: '12345', phone: '0951-5012345', hours: '工作日 8:30–17:30', from: { unit: A } })
      expect(res.json().report.qrSvg).toMatch(/^<svg /)
      const changes = (await audit.entries({ from: 0, to: Date.now() + 1, limit: 1000 })).filter((e) => e.target === `contact:${A}`)
      expect(changes).toHaveLength(1)
      expect(changes[0]).toMatchObject({ action: 'directory.change', unit: A, actor: { kind: 'cli', name: userInfo().username } })
    } finally {
      await t.close()
      await store.close()
      await audit.close()
    }
    expect(await inProcess('contact', 'remove', A)).toContain('removed the report contact of 640106001')
    expect(await inProcess('list')).not.toContain('0951-5012345')
  }, 120_000)
})

describe('npm run users', () => {
  it('records each change as user.change with the OS user', async () => {
    const say = () => {}
    await users(['add', 'ann', '--role', 'leader', '--unit', A, '--password', 'ann-password-1'], say, async () => '')
    await users(['passwd', 'ann', '--password', 'ann-password-2'], say, async () => '')
    await users(['key', 'add', 'cameras'], say, async () => '')
    await users(['remove', 'ann'], say, async () => '')
    const audit = SqliteAuditLog.open(dir)
    const entries = (await audit.entries({ from: 0, to: Date.now() + 1, limit: 100 })).filter((e) => e.action === 'user.change')
    await audit.close()
    expect(entries.map((e) => [e.target, e.unit])).toEqual([
      ['user:ann', null],
      ['key:cameras', null],
      ['user:ann', null],
      ['user:ann', A],
    ])
    for (const e of entries) expect(e.actor).toEqual({ kind: 'cli', name: userInfo().username })
  }, 60_000)
})
