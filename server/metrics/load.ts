import type { Store } from '../store/types'
import type { Rollups } from './rollups'
import { followLog } from '../live/follow-log'

/**
 * Replays the log into the rollups, then follows new commits; `apply` skips anything at or below
 * the seq it has. The server's own rollups are fed by server/live/index.ts (with the live bus, from
 * the same follower); this serves tests and benches that hold rollups without a server.
 */
export function followStore(rollups: Rollups, store: Store, chunk = 50_000): Promise<() => void> {
  return followLog(store, () => rollups.seq, (events) => rollups.apply(events), chunk)
}
