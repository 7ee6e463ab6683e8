// The directory's contract (directory-contract.ts) on a real SQLite file in a temp data dir.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteAuditLog } from '../../../server/audit/audit-log'
import { DirectoryStore } from '../../../server/directory/directory-store'
import { directoryContract } from './directory-contract'

directoryContract('SQLite', async (options) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-directory-'))
  const audit = SqliteAuditLog.open(dir)
  let directory = DirectoryStore.open(dir, { audit, ...options })
  return {
    directory,
    audit,
    async reopen() {
      await directory.close()
      directory = DirectoryStore.open(dir, { audit, isStreet: () => true })
      return directory
    },
    async close() {
      await directory.close()
      await audit.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})
