// Following the committed log: read it from a seq to its end, then take each commit as it lands.
// This is the one place that subscribes to `store.onCommit` (server/live/index.ts calls it once).
// With one process, the commits this process makes are the whole log; with several sharing one
// store, the follower must read what the others committed too, in seq order (README.md here).
import type { LiveEvent } from '../../shared/events'
import type { Store } from '../store/types'

/** Events after `fromSeq` in seq order; `replayed` is true for those read back from the log. */
export type LogReader = (events: LiveEvent[], replayed: boolean) => void

/**
 * Delivers the log after `fromSeq()` to `deliver`, then every commit. Commits that land while the
 * log is being read are held and delivered after it; a commit may repeat events the reading already
 * gave (it started before the read ended), so a reader skips seqs it has, as the rollups do.
 * Resolves once the log is read, with the function that stops following.
 */
export async function followLog(store: Store, fromSeq: () => number, deliver: LogReader, chunk = 50_000): Promise<() => void> {
  const held: LiveEvent[][] = []
  let reading = true
  const unsubscribe = store.onCommit((events) => {
    if (reading) held.push(events)
    else deliver(events, false)
  })
  for (;;) {
    const events = await store.readLog(fromSeq(), chunk)
    if (events.length === 0) break
    deliver(events, true)
  }
  for (const events of held) deliver(events, false)
  reading = false
  return unsubscribe
}
