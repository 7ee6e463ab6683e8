// The demo accounts `npm start` creates while the simulator runs (README lists them): one center
// user and one leader a street, for whichever district is in use.
import type { Geography } from '../geo/geography'
import type { Role } from './auth-store'

export const DEMO_PASSWORD = 'outpost-demo'

export interface DemoAccount {
  username: string
  role: Role
  unit: string
}

/** `center` at the district, `leader-<street id>` for each street, in the geography's order. */
export function demoAccounts(geography: Geography): DemoAccount[] {
  return [
    { username: 'center', role: 'center', unit: geography.district.id },
    ...geography.children(geography.district.id)
      .filter((unit) => unit.level === 'street')
      .map((unit) => ({ username: `leader-${unit.id}`, role: 'leader' as const, unit: unit.id })),
  ]
}
