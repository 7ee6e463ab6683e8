/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = (p: string) => fileURLToPath(new URL(p, import.meta.url))

// One config for the client build and every Vitest project (Vitesse style).
export default defineConfig({
  root: root('./client'),
  publicDir: root('./public'),
  plugins: [vue()],
  build: {
    outDir: root('./dist/client'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  test: {
    root: root('.'),
    // A real PostgreSQL for the PostgreSQL path: OUTPOST_TEST_DATABASE_URL, or one started here.
    globalSetup: ['test/global-postgres.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'shared', environment: 'node', include: ['test/shared/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'server',
          environment: 'node',
          include: ['test/server/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: { name: 'client', environment: 'happy-dom', include: ['test/client/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
