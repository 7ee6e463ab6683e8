// Passwords: scrypt (node:crypto) with a random 16-byte salt per user; compared in constant time.
// Every hash, a login's check or a new password's, goes through one gate (`passwordHashes`).
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const KEY_LENGTH = 64
/** N = 2^15, r = 8: about 32 MiB and tens of ms per check — slow for guessing, fine for a login. */
const PARAMS: ScryptOptions = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

/**
 * scrypt holds one of libuv's four pool threads for the whole hash, and the store's fdatasyncs run
 * on that pool too: a burst of 50 logins once held ingest acknowledgements for seconds. So hashes
 * run one at a time, a few wait their turn, and the rest are refused at once.
 */
export const MAX_RUNNING_HASHES = 1
export const MAX_WAITING_HASHES = 8

/** Too many password checks are running or waiting: try again shortly. */
export class PasswordsBusyError extends Error {
  constructor() {
    super('too many password checks at once')
  }
}

class HashGate {
  running = 0
  /** The most hashes that ever ran at once (tests hold the bound to it). */
  peak = 0
  private readonly queue: (() => void)[] = []

  get waiting(): number {
    return this.queue.length
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < MAX_RUNNING_HASHES) this.running++
    else if (this.queue.length < MAX_WAITING_HASHES) await new Promise<void>((resolve) => this.queue.push(resolve))
    else throw new PasswordsBusyError()
    this.peak = Math.max(this.peak, this.running)
    try {
      return await task()
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot overtake the queue.
      const next = this.queue.shift()
      if (next) next()
      else this.running--
    }
  }
}

export const passwordHashes = new HashGate()

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  return passwordHashes.run(
    () =>
      new Promise((resolve, reject) => {
        scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, PARAMS, (error, key) => (error ? reject(error) : resolve(key)))
      }),
  )
}

export interface PasswordHash {
  salt: string
  hash: string
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16)
  return { salt: salt.toString('base64'), hash: (await scrypt(password, salt)).toString('base64') }
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64')
  const actual = await scrypt(password, Buffer.from(stored.salt, 'base64'))
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/** A password the CLI and the environment accept: long enough to matter. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8) return 'a password needs at least 8 characters'
  if (password.length > 256) return 'a password may have at most 256 characters'
  return undefined
}
