// The demo accounts `npm start` creates while the simulator runs (README lists them).
import type { Role } from './auth-store'

export const DEMO_PASSWORD = 'outpost-demo'

const STREETS = ['640106001', '640106002', '640106003', '640106004', '640106005', '640106006', '640106100', '640106101']

export const DEMO_ACCOUNTS: { username: string; role: Role; unit: string }[] = [
  { username: 'center', role: 'center', unit: '640106' },
  ...STREETS.map((unit) => ({ username: `leader-${unit}`, role: 'leader' as const, unit })),
]
