// Configuration comes from the environment only, and is checked at start with a message that
// names the variable and what it accepts.
export interface Config {
  port: number
  host: string
  dataDir: string
  sim: boolean
  simSpeed: number
  sqliteSync: 'full' | 'normal'
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>

export function loadConfig(env: Env = process.env): Config {
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env, 'HOST', '127.0.0.1'),
    dataDir: nonEmpty(env, 'OUTPOST_DATA_DIR', 'data'),
    sim: oneOf(env, 'OUTPOST_SIM', ['on', 'off'], 'on') === 'on',
    simSpeed: number(env, 'OUTPOST_SIM_SPEED', 1, 0.01, 10_000),
    sqliteSync: oneOf(env, 'OUTPOST_SQLITE_SYNC', ['full', 'normal'], 'full'),
  }
}

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === '' ? undefined : value
}

function nonEmpty(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name)
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${value}"`)
  }
  return Number(value)
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name)
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${value}"`)
  }
  return n
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name)
  if (value === undefined) return fallback
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
  }
  return value as T
}
