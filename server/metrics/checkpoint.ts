// Rollup checkpoints: the rollups' whole state as of a seq, kept in the store, so that a start
// restores it and reads only the log after it instead of replaying the whole log (50–60 s at 6 M
// events). A checkpoint is a cache: one that is missing, of another basis or unreadable costs a
// full replay, never a wrong figure.
//
// Format: "OPRC", the format version, the CRC-32 of the rest, then the state as the rollups write
// it (rollups.ts, `writeState`). The basis is the format version and a hash of everything the
// state's meaning depends on besides the log (geography, unit order and cells, policy, zone, code
// lists), so a start with anything else ignores the row and later replaces it with its own.
import { createHash } from 'node:crypto'
import { crc32 } from 'node:zlib'
import type { Geography } from '../geo/geography'
import { geographyHash } from '../store/geography-guard'
import type { Store } from '../store/types'
import { Reader, Writer } from './codec'
import type { Rollups } from './rollups'

// 2: the hotspot points (hotspot-index.ts) at the end of the state.
export const CHECKPOINT_FORMAT = 2
const MAGIC = 'OPRC'
const HEADER = 12

/**
 * Save when this many events have been applied since the last checkpoint… A save holds the event
 * loop while it serialises and writes (about 2.5 s + 1.6 s at 6 M events, `npm run bench -- startup`),
 * and a start replays at most this many events after the checkpoint (about 6 µs each): 500,000
 * bounds that to about 3 s while saving at most every ~8 minutes at 1,000 events/s.
 */
export const DEFAULT_CHECKPOINT_EVENTS = 500_000
/** …or when this long has passed and anything at all has been applied. */
export const DEFAULT_CHECKPOINT_MS = 10 * 60_000

export interface CheckpointOptions {
  /** Events applied since the last checkpoint that call for a new one. */
  everyEvents?: number
  /** Time since the last checkpoint (ms) after which any new event calls for one. */
  everyMs?: number
}

const geographyHashes = new WeakMap<Geography, string>()

/** The basis of a checkpoint of these rollups over this geography. */
export function checkpointBasis(rollups: Rollups, geography: Geography): string {
  let geo = geographyHashes.get(geography)
  if (geo === undefined) geographyHashes.set(geography, (geo = geographyHash(geography.units)))
  const hash = createHash('sha256').update(geo).update(canonicalJson(rollups.shape())).digest('hex')
  return `rollups-v${CHECKPOINT_FORMAT}.${hash}`
}

/** The rollups' state, serialised. */
export function encodeCheckpoint(rollups: Rollups): Buffer {
  const w = new Writer()
  w.u8(0)
  for (let i = 1; i < HEADER; i++) w.u8(0)
  rollups.writeState(w)
  const out = w.finish()
  out.write(MAGIC, 0, 'latin1')
  out.writeUInt32LE(CHECKPOINT_FORMAT, 4)
  out.writeUInt32LE(crc32(out.subarray(HEADER)), 8)
  return out
}

/** Restores a checkpoint into empty rollups; throws (leaving them empty) on anything malformed. */
export function decodeCheckpoint(rollups: Rollups, data: Buffer): void {
  if (data.length < HEADER || data.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a rollup checkpoint')
  const format = data.readUInt32LE(4)
  if (format !== CHECKPOINT_FORMAT) throw new Error(`rollup checkpoint format ${format}; this build reads ${CHECKPOINT_FORMAT}`)
  if (crc32(data.subarray(HEADER)) !== data.readUInt32LE(8)) throw new Error('rollup checkpoint damaged (CRC mismatch)')
  rollups.readState(new Reader(data.subarray(HEADER)))
}

export interface RestoreOutcome {
  /** The seq the restored state includes; 0 when the start replays the whole log. */
  seq: number
  /** Why no checkpoint was used, when one was found and not used. */
  ignored?: string
}

/**
 * Restores the latest checkpoint of the rollups' basis, if the store has one and it decodes; a
 * checkpoint that fails to decode is reported through `warn` and left for a full replay.
 */
export async function restoreCheckpoint(rollups: Rollups, geography: Geography, store: Store, warn: (message: string) => void): Promise<RestoreOutcome> {
  const checkpoint = await store.loadCheckpoint(checkpointBasis(rollups, geography))
  if (!checkpoint) return { seq: 0 }
  try {
    decodeCheckpoint(rollups, checkpoint.data)
  } catch (error) {
    const ignored = `rollup checkpoint at seq ${checkpoint.seq} ignored, replaying the whole log: ${(error as Error).message}`
    warn(ignored)
    return { seq: 0, ignored }
  }
  return { seq: rollups.seq }
}

/**
 * Saves the rollups' state now and then while they follow the log: once `everyEvents` events or
 * `everyMs` have passed since the last one (checked after each applied batch, in a later turn so
 * that the batch's own work is not held up), and at close. One save at a time; a save that fails
 * is reported and tried again at the next occasion.
 */
export class CheckpointSaver {
  private savedSeq: number
  private savedAt: number
  private saving: Promise<void> | undefined
  private scheduled = false
  private closed = false
  private readonly everyEvents: number
  private readonly everyMs: number
  /** Serialising times (ms), for tests and the bench. */
  readonly encodeMs: number[] = []

  constructor(
    private readonly rollups: Rollups,
    private readonly geography: Geography,
    private readonly store: Store,
    private readonly warn: (message: string) => void,
    options: CheckpointOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.everyEvents = options.everyEvents ?? DEFAULT_CHECKPOINT_EVENTS
    this.everyMs = options.everyMs ?? DEFAULT_CHECKPOINT_MS
    this.savedSeq = rollups.seq
    this.savedAt = now()
  }

  /** Called after the rollups applied a batch. */
  applied(): void {
    if (this.closed || this.scheduled || this.saving) return
    const behind = this.rollups.seq - this.savedSeq
    if (behind <= 0) return
    if (behind < this.everyEvents && this.now() - this.savedAt < this.everyMs) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (!this.closed) void this.save()
    })
  }

  /** Saves now unless the state saved last is current; resolves once durable (or failed and reported). */
  save(): Promise<void> {
    if (this.saving) return this.saving
    const seq = this.rollups.seq
    if (seq <= this.savedSeq) return Promise.resolve()
    const started = performance.now()
    const data = encodeCheckpoint(this.rollups)
    this.encodeMs.push(performance.now() - started)
    const savedAt = this.now()
    this.saving = this.store
      .saveCheckpoint({ seq, basis: checkpointBasis(this.rollups, this.geography), savedAt, data })
      .then(
        () => {
          this.savedSeq = seq
          this.savedAt = savedAt
        },
        (error: Error) => this.warn(`rollup checkpoint at seq ${seq} not saved: ${error.message}`),
      )
      .finally(() => (this.saving = undefined))
    return this.saving
  }

  /** The last save, after any in flight; nothing more is scheduled. */
  async close(): Promise<void> {
    this.closed = true
    await this.saving
    await this.save()
  }
}

/** JSON with object keys sorted, so that the same value always hashes the same. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
}
