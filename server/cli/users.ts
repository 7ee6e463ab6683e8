// npm run users -- <command>: manage users and ingest keys in the data directory
// (OUTPOST_DATA_DIR), or in PostgreSQL when OUTPOST_DATABASE_URL names one (as for the server), also
// while the server runs.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { AuthStore, ROLES, type Role } from '../auth/auth-store'
import type { Accounts } from '../auth/accounts'
import { PgAccounts } from '../auth/pg-accounts'
import { ConfigError, databaseUrlFrom } from '../config'
import { hashPassword, passwordProblem } from '../auth/passwords'
import { loadGeography } from '../geo/geography-file'
import { SqliteAuditLog } from '../audit/audit-log'
import { PgAuditLog } from '../audit/pg-audit-log'
import type { AuditLog } from '../audit/types'

const USAGE = `usage: npm run users -- <command>
  add <name> --role center|leader [--unit <street or community id>] [--password <p>]
  list
  passwd <name> [--password <p>]
  remove <name>
  key add <source-name>          prints the new key alone on its last line
  key list
  key revoke <key id | source-name>
The password is asked for when --password is omitted. Data: $OUTPOST_DATABASE_URL when set, else
$OUTPOST_DATA_DIR (default data); units: $OUTPOST_GEOGRAPHY (default the sample district).`

class UsageError extends Error {}

export async function run(argv: string[], out: (line: string) => void, readPassword: () => Promise<string>): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { role: { type: 'string' }, unit: { type: 'string' }, password: { type: 'string' } },
    allowPositionals: true,
  })
  const dataDir = resolve(process.env.OUTPOST_DATA_DIR?.trim() || 'data')
  mkdirSync(dataDir, { recursive: true })
  let databaseUrl: string | undefined
  try {
    databaseUrl = databaseUrlFrom()
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message)
    throw error
  }
  // The accounts the server uses: PostgreSQL (shared by every process) or the data directory's file.
  const auth: Accounts = databaseUrl ? await PgAccounts.open(databaseUrl, { listen: false, poolSize: 1 }) : AuthStore.open(dataDir)
  // Every change goes to the audit trail (the server's: PostgreSQL's with the database), with the OS
  // account as its actor.
  let audit: AuditLog
  try {
    audit = databaseUrl ? await PgAuditLog.open(databaseUrl, { poolSize: 1 }) : SqliteAuditLog.open(dataDir)
  } catch (error) {
    await auth.close()
    throw error
  }
  const changed = (target: string, unit: string | null = null) =>
    audit.record({ at: Date.now(), actor: { kind: 'cli', name: osUser() }, action: 'user.change', target, unit })
  try {
    const [command, ...rest] = positionals
    const password = async () => {
      const p = values.password ?? (await readPassword())
      const problem = passwordProblem(p)
      if (problem) throw new UsageError(problem)
      return p
    }
    switch (command) {
      case 'add': {
        const name = one(rest, 'a user name')
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new UsageError('a user name is 1–64 letters, digits, dots, dashes or underscores')
        const role = values.role as Role | undefined
        if (!role || !ROLES.includes(role)) throw new UsageError('--role must be center or leader')
        // The district the server runs on: a leader's unit must be one of its streets or communities.
        const geography = loadGeography(process.env.OUTPOST_GEOGRAPHY?.trim() || undefined)
        let unit = geography.district.id
        if (role === 'leader') {
          const level = values.unit ? geography.get(values.unit)?.level : undefined
          if (level !== 'street' && level !== 'community') throw new UsageError(`--unit must be the id of a street or a community of ${geography.district.name} (${geography.district.id}) for a leader`)
          unit = values.unit!
        }
        if (await auth.user(name)) throw new UsageError(`user ${name} exists already`)
        await auth.addUser({ username: name, role, unit }, await hashPassword(await password()))
        await changed(`user:${name}`, unit)
        out(`added ${name} (${role}, ${unit} ${geography.get(unit)!.name})`)
        return
      }
      case 'list':
        for (const u of await auth.users()) out(`${u.username}\t${u.role}\t${u.unit}${u.demo ? '\tdemo' : ''}`)
        return
      case 'passwd': {
        const name = one(rest, 'a user name')
        if (!(await auth.user(name))) throw new UsageError(`no user ${name}`)
        await auth.setPassword(name, await hashPassword(await password()))
        await changed(`user:${name}`)
        out(`password of ${name} changed; their sessions have ended`)
        return
      }
      case 'remove': {
        const name = one(rest, 'a user name')
        if (!(await auth.removeUser(name))) throw new UsageError(`no user ${name}`)
        await changed(`user:${name}`)
        out(`removed ${name}`)
        return
      }
      case 'key': {
        const [sub, arg] = rest
        if (sub === 'add') {
          if (!arg || !/^[A-Za-z0-9._-]{1,64}$/.test(arg)) throw new UsageError('key add needs a source name (letters, digits, . _ -)')
          const { key, id } = await auth.addKey(arg)
          await changed(`key:${arg}`)
          out(`ingest key ${id} for ${arg}; it is shown once, keep it:`)
          out(key)
          return
        }
        if (sub === 'list') {
          for (const k of await auth.keys()) {
            out(`${k.id}\t${k.name}\t${new Date(k.createdAt).toISOString()}\t${k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active'}`)
          }
          return
        }
        if (sub === 'revoke') {
          if (!arg) throw new UsageError('key revoke needs a key id or a source name')
          const n = await auth.revokeKey(arg)
          if (n === 0) throw new UsageError(`no active key ${arg}`)
          await changed(`key:${arg}`)
          out(`revoked ${n} key${n > 1 ? 's' : ''}`)
          return
        }
        throw new UsageError('key needs add, list or revoke')
      }
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'no command')
    }
  } finally {
    await auth.close()
    await audit.close()
  }
}

function osUser(): string {
  try {
    return userInfo().username
  } catch {
    return process.env.USER ?? 'unknown'
  }
}

function one(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`expected ${what}`)
  return args[0]!
}

/** Asks on the terminal without echo; reads one line from a pipe. */
function askPassword(): Promise<string> {
  const muted = new Writable({ write: (_chunk, _enc, done) => done() })
  const tty = process.stdin.isTTY
  if (tty) process.stdout.write('password: ')
  const rl = createInterface({ input: process.stdin, output: tty ? muted : undefined, terminal: tty })
  return new Promise((resolvePassword) => {
    rl.once('line', (line) => {
      rl.close()
      if (tty) process.stdout.write('\n')
      resolvePassword(line)
    })
  })
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('users.ts')) {
  run(process.argv.slice(2), (line) => console.log(line), askPassword).catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`users: ${error.message}\n${USAGE}`)
      process.exit(2)
    }
    console.error(`users: ${(error as Error).message}`)
    process.exit(1)
  })
}
