// npm run report: the command itself, on a data directory of its own — the PDF and the CSV it writes,
// read back, and its clear errors (bad arguments, an unknown unit, no Chromium).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pdfText } from '../helpers/pdf-text'
import { SqliteStore } from '../../server/store/sqlite-store'
import { backfill } from '../../server/sim/backfill'
import { sampleGeography } from '../helpers/build-app'

const run = promisify(execFile)
const geography = sampleGeography()
const STREET = '640106002'
const dir = mkdtempSync(join(tmpdir(), 'outpost-report-cli-'))

async function report(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'server/cli/report.ts', ...args], {
      env: { ...process.env, OUTPOST_DATA_DIR: dir, OUTPOST_TZ: 'Asia/Shanghai', ...env },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

beforeAll(async () => {
  const store = new SqliteStore({ filename: join(dir, 'outpost.db') })
  await backfill({ store, geography, days: 3, now: Date.parse('2026-11-20T12:00:00+08:00'), timeZone: 'Asia/Shanghai', seed: 3 })
  await store.close()
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('npm run report', () => {
  it('writes the PDF of the page and the CSV of its tables', async () => {
    const out = join(dir, 'report.pdf')
    const csvFile = join(dir, 'report.csv')
    const result = await report(['--unit', STREET, '--period', 'day', '--date', '2026-11-19', '--out', out, '--csv', csvFile])
    expect(result.code, result.stderr).toBe(0)
    const csv = readFileSync(csvFile, 'utf8')
    const requests = Number(/\r\nrequests,count,(\d+),/.exec(csv)![1])
    expect(requests).toBeGreaterThan(0)
    const pdf = await pdfText(new Uint8Array(readFileSync(out)))
    expect(pdf.pages).toBeGreaterThanOrEqual(1)
    const text = pdf.text.join('\n')
    expect(text).toContain(geography.get(STREET)!.name)
    expect(text).toContain('2026-11-19')
    // The CSV and the printed page hold the same count.
    expect(Number(/诉求数\s*(\d+)/.exec(text)![1])).toBe(requests)
  }, 180_000)

  it('says what is wrong: bad arguments, an unknown unit, no Chromium', async () => {
    const bad = await report(['--unit', STREET, '--period', 'month', '--date', '2026-11-19', '--out', join(dir, 'x.pdf')])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--period: day or week')
    const unknown = await report(['--unit', '640106099', '--period', 'day', '--date', '2026-11-19', '--out', join(dir, 'x.pdf')])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('unknown unit 640106099')
    const noChromium = await report(['--unit', STREET, '--period', 'day', '--date', '2026-11-19', '--out', join(dir, 'x.pdf')], { CHROMIUM_PATH: join(dir, 'no-chromium') })
    expect(noChromium.code).toBe(1)
    expect(noChromium.stderr).toContain("PDF output needs Debian's chromium")
  }, 180_000)
})
