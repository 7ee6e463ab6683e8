// What every write route asks of who wrote (`app.requireWriter`: a session or an ingest key): may
// they act on this grid, and what the audit trail records of it. A key acts for a whole system and
// is not scope-checked or audited (the event log records its actor); a person acts inside their
// scope (server/auth/scope.ts), and each of their actions is in the audit trail.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { DispatchTarget } from '../../shared/domain'
import type { AuditAction } from '../../shared/schemas/audit'
import { canSee } from '../auth/scope'
import { HttpError } from '../errors'

/**
 * A session's write on `gridId`: 403 (rule `scope`, naming `field`) outside the user's scope. Writes
 * answer 403 where the by-id read (`GET /api/v1/requests/:id`) answers 404, as issue #18 asks ("outside
 * it a 403"): the refusal tells that the id exists, never where it is or what it holds.
 */
export function assertWriteScope(app: FastifyInstance, request: FastifyRequest, gridId: string, field: string, what: string): void {
  const user = request.user
  if (!user) return
  if (!canSee(app.geography, user, gridId)) {
    throw new HttpError(403, `${what} lies outside your scope (${user.unit})`, { field, rule: 'scope' })
  }
}

/**
 * Appends to the audit trail when a person did it; a key's writes are in the event log alone. The
 * route awaits it: the entry is durable before the write it records is answered.
 */
export async function auditWrite(app: FastifyInstance, request: FastifyRequest, action: AuditAction, target: string, unit: string | null): Promise<void> {
  const user = request.user
  if (!user) return
  await app.audit.record({ at: app.now(), actor: { kind: 'user', name: user.username }, action, target, unit })
}

/**
 * A dispatch target must name someone there: a grid worker the store has seen report, a department
 * or an expert of the directory. Unknown: a 422 naming `body/assignee/id`.
 */
export async function assertTargetExists(app: FastifyInstance, target: DispatchTarget): Promise<void> {
  const exists =
    target.kind === 'worker'
      ? await app.store.hasWorker(target.id)
      : target.kind === 'department'
        ? app.directory.department(target.id) !== undefined
        : app.directory.expert(target.id) !== undefined
  if (!exists) {
    const where = target.kind === 'worker' ? 'no grid worker of this district has reported as' : `the directory has no ${target.kind}`
    throw new HttpError(422, `body/assignee/id: ${where} ${target.id}`, { field: 'body/assignee/id', rule: 'exists' })
  }
}

/** The name a dispatch target goes by: a department's or expert's from the directory, a worker's id. */
export function targetName(app: FastifyInstance, target: DispatchTarget): string | undefined {
  switch (target.kind) {
    case 'worker':
      return target.id
    case 'department':
      return app.directory.department(target.id)?.name
    case 'expert':
      return app.directory.expert(target.id)?.name
  }
}
