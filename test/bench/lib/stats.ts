// Figures: one JSON line each on stdout, which test/bench/run.ts collects.
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'

/** Epoch milliseconds with sub-millisecond resolution, comparable across our processes. */
export function clock(): number {
  return performance.timeOrigin + performance.now()
}

export function emit(bench: string, figure: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench, ...figure }))
}

/** Progress for the person watching; stderr, so it never mixes with the figures. */
export function note(message: string): void {
  process.stderr.write(`  · ${message}\n`)
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

/** The middle value (the lower of the two middle ones for an even count), as the benches' rounds use it. */
export function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!
}

export function sortedCopy(values: number[] | Float64Array): Float64Array {
  return Float64Array.from(values).sort()
}

export function round(x: number, digits = 2): number {
  if (!Number.isFinite(x)) return x
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The load generator's own CPU over a window, to show how much of the two cores it took. */
export function selfCpu(): () => number {
  const start = process.cpuUsage()
  const t0 = performance.now()
  return () => {
    const d = process.cpuUsage(start)
    return (d.user + d.system) / 1000 / (performance.now() - t0)
  }
}

export function machine(): Record<string, unknown> {
  return { cores: cpus().length, cpu: cpus()[0]?.model, load1: round(loadavg()[0]!), node: process.version }
}
