// `npm run bench`: every test/bench/*.bench.ts in turn, each in a child process of its own with a
// time bound, their JSON lines echoed and gathered into bench-results/<timestamp>.json and
// bench-results/latest.json, so that two runs can be compared figure by figure.
//
//   npm run bench [-- fanout ingest]   (only the benches whose names contain one of the words)
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, hostname, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..', '..')
/**
 * A backstop per bench, not its budget: each bench bounds its own time (together about six
 * minutes on two cores), and one that hangs is stopped here instead of holding the run.
 */
const LIMIT_MS = 240_000
/**
 * The metrics bench builds its million-request data set on its first run (several minutes; it is
 * kept under bench-results/ for the next runs), so it gets longer; so does the hotspots bench,
 * which reads (or, run first, builds) the same data set.
 */
const LIMITS_MS: Record<string, number> = { 'metrics.bench.ts': 900_000, 'hotspots.bench.ts': 900_000 }
// Every bench gets a collectable heap (for memory figures) and room for large datasets.
const NODE_ARGS = ['--expose-gc', '--max-old-space-size=6000']

const only = process.argv.slice(2)
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((w) => f.includes(w)))
  .sort()

interface BenchRun {
  file: string
  exitCode: number | null
  timedOut: boolean
  seconds: number
}

const figures: Record<string, unknown>[] = []
const runs: BenchRun[] = []
const startedAt = new Date()
const load1AtStart = loadavg()[0]

for (const file of benches) {
  process.stderr.write(`bench: ${file}\n`)
  const t0 = Date.now()
  const child = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', join(here, file)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let timedOut = false
  const limit = LIMITS_MS[file] ?? LIMIT_MS
  const timer = setTimeout(() => {
    timedOut = true
    process.stderr.write(`bench: ${file} ran past ${limit / 1000} s, stopping it\n`)
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5000).unref()
  }, limit)
  let rest = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    rest += chunk
    let nl: number
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl)
      rest = rest.slice(nl + 1)
      process.stdout.write(`${line}\n`)
      try {
        const figure = JSON.parse(line) as unknown
        if (figure && typeof figure === 'object' && !Array.isArray(figure)) figures.push(figure as Record<string, unknown>)
      } catch {
        // Not a figure: a bench's stray output is shown, not collected.
      }
    }
  })
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  clearTimeout(timer)
  runs.push({ file, exitCode, timedOut, seconds: Math.round((Date.now() - t0) / 100) / 10 })
  if (exitCode !== 0) process.stderr.write(`bench: ${file} failed (exit ${exitCode}${timedOut ? ', timed out' : ''})\n`)
}

const result = {
  startedAt: startedAt.toISOString(),
  seconds: Math.round((Date.now() - startedAt.getTime()) / 100) / 10,
  machine: { host: hostname(), cores: cpus().length, cpu: cpus()[0]?.model, load1AtStart, node: process.version },
  runs,
  figures,
}
const dir = join(root, 'bench-results')
mkdirSync(dir, { recursive: true })
const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
const json = `${JSON.stringify(result, null, 2)}\n`
writeFileSync(join(dir, `${stamp}.json`), json)
writeFileSync(join(dir, 'latest.json'), json)
process.stderr.write(`bench: ${figures.length} figures from ${runs.length} benches in ${result.seconds} s → bench-results/${stamp}.json\n`)
process.exitCode = runs.every((r) => r.exitCode === 0) ? 0 : 1
