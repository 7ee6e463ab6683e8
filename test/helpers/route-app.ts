// The route tests' shared setup: a fresh app per test and the calls they all make.
import { afterEach, beforeEach } from 'vitest'
import { buildTestApp, type TestApp } from './build-app'

/** A street of the sample district. */
export const STREET_A = '640106001'

/** Registers a fresh app for each test of the file (beforeEach / afterEach). */
export function useTestApp() {
  let current: TestApp | undefined
  beforeEach(async () => {
    current = await buildTestApp()
  })
  afterEach(async () => {
    await current?.close()
  })
  const app = (): TestApp => {
    if (!current) throw new Error('useTestApp: only inside a test')
    return current
  }
  return {
    get t(): TestApp {
      return app()
    },
    post: (url: string, payload: unknown) => app().inject({ method: 'POST', url, payload: payload as object }),
    /** The store's last seq, as the health route tells it. */
    seq: async (): Promise<number> => (await app().inject({ method: 'GET', url: '/api/v1/health' })).json().seq,
  }
}
