// followLog: the one commit subscription (server/live/follow-log.ts). What it must never do is lose
// a seq, deliver one twice to a reader that skips what it has, or hand replayed history to the bus.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { followLog } from '../../../server/live/follow-log'
import { SqliteStore } from '../../../server/store/sqlite-store'
import { pointIn, sampleGeography } from '../../helpers/build-app'

const geography = sampleGeography()
const T0 = Date.parse('2026-11-20T02:00:00Z')
const point = pointIn(geography, geography.district.id)
const path = geography.locate(point)!

/** Appends `n` patrol pings, one commit. */
async function pings(store: SqliteStore, n: number, at: number): Promise<void> {
  await store.appendPings(Array.from({ length: n }, (_, i) => ({ workerId: `w-${i}`, kind: 'ping' as const, ...point, path, at: at + i })))
}

describe('followLog', () => {
  let store: SqliteStore
  beforeEach(() => {
    store = new SqliteStore({ filename: ':memory:' })
  })
  afterEach(async () => {
    await store.close()
  })

  it('reads the log after a seq in chunks, flagged replayed, then hands each commit on, and stops when told', async () => {
    await pings(store, 5, T0)
    const got: { seqs: number[]; replayed: boolean }[] = []
    let seq = 1
    const stop = await followLog(
      store,
      () => seq,
      (events, replayed) => {
        got.push({ seqs: events.map((e) => e.seq), replayed })
        seq = events.at(-1)!.seq
      },
      2,
    )
    expect(got).toEqual([
      { seqs: [2, 3], replayed: true },
      { seqs: [4, 5], replayed: true },
    ])
    await pings(store, 2, T0 + 10)
    expect(got.slice(2)).toEqual([{ seqs: [6, 7], replayed: false }])
    stop()
    await pings(store, 1, T0 + 20)
    expect(got).toHaveLength(3)
  })

  it('holds a commit that lands while the log is read and delivers it after the log, in seq order', async () => {
    await pings(store, 3, T0)
    // A real write, committed after the read that found the end of the log: it exists only as a
    // commit, so a follower that subscribed after reading would lose it for good.
    const readLog = store.readLog.bind(store)
    let wrote = false
    store.readLog = async (afterSeq, limit) => {
      const events = await readLog(afterSeq, limit)
      if (events.length === 0 && !wrote) {
        wrote = true
        await pings(store, 2, T0 + 10)
      }
      return events
    }
    const delivered: { seq: number; replayed: boolean }[] = []
    let seq = 0
    await followLog(
      store,
      () => seq,
      (events, replayed) => {
        for (const event of events) {
          if (event.seq <= seq) continue
          seq = event.seq
          delivered.push({ seq: event.seq, replayed })
        }
      },
      2,
    )
    expect(delivered).toEqual([
      { seq: 1, replayed: true },
      { seq: 2, replayed: true },
      { seq: 3, replayed: true },
      { seq: 4, replayed: false },
      { seq: 5, replayed: false },
    ])
    await pings(store, 1, T0 + 20)
    expect(delivered.at(-1)).toEqual({ seq: 6, replayed: false })
  })
})
