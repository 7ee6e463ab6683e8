// Passwords: scrypt (node:crypto) with a random 16-byte salt per user; compared in constant time.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const KEY_LENGTH = 64
/** N = 2^15, r = 8: about 32 MiB and tens of ms per check — slow for guessing, fine for a login. */
const PARAMS: ScryptOptions = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

function scrypt(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, PARAMS, (error, key) => (error ? reject(error) : resolve(key)))
  })
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
