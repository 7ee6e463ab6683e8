import type { FastifyInstance } from 'fastify'
import type { User } from '../auth/auth-store'
import { assertScope, homeUnit } from '../auth/scope'

/** The unit a read asks for (the user's own by default), after the scope check: 404 or 403. */
export function scopedUnit(app: FastifyInstance, user: User, unit: string | undefined, field = 'query/unit'): string {
  const id = unit ?? homeUnit(app.geography, user)
  assertScope(app.geography, user, id, field)
  return id
}
