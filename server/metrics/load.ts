import type { Store } from '../store/types'
import type { Rollups } from './rollups'

/**
 * Replays the log into the rollups, then follows new commits. Commits that land while the log is
 * being read are held and applied after it; `apply` skips anything at or below the seq it has.
 */
export async function followStore(rollups: Rollups, store: Store, chunk = 50_000): Promise<() => void> {
  const held: Parameters<Rollups['apply']>[0][] = []
  let loading = true
  const unsubscribe = store.onCommit((events) => {
    if (loading) held.push(events)
    else rollups.apply(events)
  })
  for (;;) {
    const events = await store.readLog(rollups.seq, chunk)
    if (events.length === 0) break
    rollups.apply(events)
  }
  for (const events of held) rollups.apply(events)
  loading = false
  return unsubscribe
}
