import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { SqliteStore } from '../../server/store/sqlite-store'
import { storeContract } from './store-contract'

storeContract('sqlite (memory)', async () => new SqliteStore({ filename: ':memory:' }))

const dir = mkdtempSync(join(tmpdir(), 'outpost-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
storeContract(
  'sqlite (file, WAL)',
  async () => new SqliteStore({ filename: join(dir, `store-${++n}.db`) }),
  async (previous) => {
    await previous.close()
    return new SqliteStore({ filename: join(dir, `store-${n}.db`) })
  },
)
