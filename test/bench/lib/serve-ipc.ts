// The child side of ./child.ts: tell the parent the port, answer its requests.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { performance } from 'node:perf_hooks'
import type { ReadyMessage, Reply, Request, Usage } from './ipc'

export type Handler = (request: Request) => Promise<Omit<Reply, 'id'>> | Omit<Reply, 'id'>

export function usageNow(gc = false): Usage {
  if (gc && global.gc) {
    // Twice: the first pass may only queue finalizers that the second one frees.
    global.gc()
    global.gc()
  }
  const cpu = process.cpuUsage()
  const mem = process.memoryUsage()
  return { userUs: cpu.user, systemUs: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed, at: performance.now() }
}

/** Answers `usage` itself, `stop` with `onStop` then exit, and everything else with `handle`. */
export function serveIpc(ready: Omit<ReadyMessage, 'type'>, stop: () => Promise<void>, handle?: Handler): void {
  let stopping: Promise<void> | undefined
  const onStop = () => (stopping ??= stop())
  if (!process.send) throw new Error('start this entry through test/bench/lib/child.ts (it needs an IPC channel)')
  const send = (reply: Reply) => process.send!(reply)
  process.on('message', async (request: Request) => {
    try {
      if (request.type === 'usage') return send({ id: request.id, usage: usageNow(request.gc) })
      if (request.type === 'profile') return send({ id: request.id, ...(await profile(request.action, request.file)) })
      if (request.type === 'stop') {
        await onStop()
        send({ id: request.id })
        process.disconnect()
        // Let the reply leave before exiting.
        setTimeout(() => process.exit(0), 20)
        return
      }
      if (!handle) throw new Error(`unknown request ${request.type}`)
      send({ id: request.id, ...(await handle(request)) })
    } catch (error) {
      send({ id: request.id, error: String(error) })
    }
  })
  // The parent died: do not linger.
  process.on('disconnect', () => void onStop().finally(() => process.exit(0)))
  process.send({ type: 'ready', ...ready } satisfies ReadyMessage)
}

let profiler: Session | undefined

/** A CPU profile of a steady state only, without start-up, for `node --cpu-prof`-style analysis. */
async function profile(action: 'start' | 'stop', file?: string): Promise<Omit<Reply, 'id'>> {
  if (action === 'start') {
    profiler = new Session()
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.start')
    return {}
  }
  if (!profiler) throw new Error('the profiler was not started')
  const { profile: result } = await profiler.post('Profiler.stop')
  profiler.disconnect()
  profiler = undefined
  if (file) writeFileSync(file, JSON.stringify(result))
  return {}
}
