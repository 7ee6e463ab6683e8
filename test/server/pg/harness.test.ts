import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { testDatabase } from '../../helpers/postgres'

describe('the PostgreSQL the tests use', () => {
  it('gives each caller a database of its own, and drops it', async () => {
    const [a, b] = await Promise.all([testDatabase(), testDatabase()])
    expect(a.name).not.toBe(b.name)
    const client = new pg.Client({ connectionString: a.url })
    await client.connect()
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db')
    expect(rows[0]!.db).toBe(a.name)
    await client.end()
    await Promise.all([a.drop(), b.drop()])
    const again = new pg.Client({ connectionString: a.url })
    await expect(again.connect()).rejects.toThrow(/does not exist/)
    await again.end().catch(() => undefined)
  })
})
