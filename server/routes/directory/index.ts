// The directory: GET for every logged-in user (a leader sees experts' contacts masked), changes for
// the center role only (each one in the audit trail), and who sits at a street now.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorReplySchema, IdParamsSchema, NoContentSchema } from '../../../shared/schemas/common'
import {
  DepartmentSchema,
  DirectoryReplySchema,
  ExpertSchema,
  NewRotaEntrySchema,
  OnDutyQuerySchema,
  OnDutyReplySchema,
  RotaEntrySchema,
  UnitContactBodySchema,
  UnitContactSchema,
  UnitContactsReplySchema,
  UnitParamsSchema,
} from '../../../shared/schemas/directory'
import { maskPhone } from '../../../shared/privacy'
import { HttpError } from '../../errors'
import { assertCenter, streetsOf } from '../../directory/scope'
import { contactUnitProblem } from '../../directory/contacts'
import type { DirectoryOutcome } from '../../directory/types'
import { scopedUnit } from '../scoped-unit'
import type { AuditActor } from '../../../shared/schemas/audit'
import type { User } from '../../auth/auth-store'

export interface DirectoryRoutesOptions {
  /** The center's zone (OUTPOST_TZ): a rota's weekday and times are local to it. */
  timeZone: string
}

/** A contact for a leader: a phone as reporters' phones are masked, anything else down to its first character. */
export function maskContact(contact: string): string {
  if (contact.replace(/\D/g, '').length >= 5) return maskPhone(contact)
  const chars = [...contact.trim()]
  return chars.length === 0 ? '' : chars[0] + '*'.repeat(Math.max(1, chars.length - 1))
}

/** A failed change as the API answers it: a referenced thing missing or a rule broken 422, a duplicate 409, a removal of nothing 404. */
function unwrap<T>(outcome: DirectoryOutcome<T>, removal = false): T {
  if (outcome.ok) return outcome.value
  if (outcome.code === 'conflict') throw new HttpError(409, outcome.message, { field: `body/${outcome.field}`, rule: 'unique' })
  if (outcome.code === 'not_found') {
    if (removal) throw new HttpError(404, outcome.message, { field: `params/${outcome.field}`, rule: 'exists' })
    throw new HttpError(422, outcome.message, { field: `body/${outcome.field}`, rule: 'exists' })
  }
  throw new HttpError(422, outcome.message, { field: `body/${outcome.field}`, rule: outcome.rule })
}

function actorOfUser(user: User): AuditActor {
  return { kind: 'user', name: user.username }
}

const errors = { '4xx': ErrorReplySchema }

const directoryRoutes: FastifyPluginAsyncTypebox<DirectoryRoutesOptions> = async (app, options) => {
  app.get('/api/v1/directory', { onRequest: app.requireUser, schema: { response: { 200: DirectoryReplySchema, ...errors } } }, async (request) => {
    const center = request.user!.role === 'center'
    return {
      departments: app.directory.departments(),
      rota: app.directory.rota(),
      experts: app.directory.experts().map((e) => (center ? e : { ...e, contact: maskContact(e.contact) })),
    }
  })

  app.get(
    '/api/v1/directory/on-duty',
    { onRequest: app.requireUser, schema: { querystring: OnDutyQuerySchema, response: { 200: OnDutyReplySchema, ...errors } } },
    async (request) => {
      const unit = scopedUnit(app, request.user!, request.query.unit)
      const at = request.query.at === undefined ? app.now() : Date.parse(request.query.at)
      if (!Number.isFinite(at)) throw new HttpError(400, 'at must be an ISO 8601 time', { field: 'query/at', rule: 'format' })
      const streets = streetsOf(app.geography, unit)
      return { at: streets.length === 1 ? streets[0]! : unit, entries: app.directory.onDuty(streets, at, options.timeZone) }
    },
  )

  app.post(
    '/api/v1/directory/departments',
    { onRequest: app.requireUser, schema: { body: DepartmentSchema, response: { 201: DepartmentSchema, ...errors } } },
    async (request, reply) => {
      assertCenter(request.user!)
      const value = unwrap(await app.directory.addDepartment(request.body, actorOfUser(request.user!)))
      return reply.code(201).send(value)
    },
  )
  app.delete(
    '/api/v1/directory/departments/:id',
    { onRequest: app.requireUser, schema: { params: IdParamsSchema, response: { 204: NoContentSchema, ...errors } } },
    async (request, reply) => {
      assertCenter(request.user!)
      unwrap(await app.directory.removeDepartment(request.params.id, actorOfUser(request.user!)), true)
      return reply.code(204).send()
    },
  )

  app.post(
    '/api/v1/directory/rota',
    { onRequest: app.requireUser, schema: { body: NewRotaEntrySchema, response: { 201: RotaEntrySchema, ...errors } } },
    async (request, reply) => {
      assertCenter(request.user!)
      const value = unwrap(await app.directory.addRota(request.body, actorOfUser(request.user!)))
      return reply.code(201).send(value)
    },
  )
  app.delete(
    '/api/v1/directory/rota/:id',
    { onRequest: app.requireUser, schema: { params: IdParamsSchema, response: { 204: NoContentSchema, ...errors } } },
    async (request, reply) => {
      assertCenter(request.user!)
      unwrap(await app.directory.removeRota(request.params.id, actorOfUser(request.user!)), true)
      return reply.code(204).send()
    },
  )

  app.post(
    '/api/v1/directory/experts',
    { onRequest: app.requireUser, schema: { body: ExpertSchema, response: { 201: ExpertSchema, ...errors } } },
    async (request, reply) => {
      assertCenter(request.user!)
      const value = unwrap(await app.directory.addExpert(request.body, actorOfUser(request.user!)))
      return reply.code(201).send(value)
    },
  )
  app.delete(
    '/api/v1/directory/experts/:id',
    { onRequest: app.requireUser, schema: { params: IdParamsSchema, response: { 204: NoContentSchema, ...errors } } },
    async (request, reply) => {
      assertCenter(request.user!)
      unwrap(await app.directory.removeExpert(request.params.id, actorOfUser(request.user!)), true)
      return reply.code(204).send()
    },
  )

  // Report contacts (the kiosk's "how to report" card): public office numbers, so any user reads
  // them; the center changes them.
  app.get('/api/v1/directory/contacts', { onRequest: app.requireUser, schema: { response: { 200: UnitContactsReplySchema, ...errors } } }, async () => ({
    contacts: app.directory.contacts(),
  }))
  app.put(
    '/api/v1/directory/contacts/:unit',
    { onRequest: app.requireUser, schema: { params: UnitParamsSchema, body: UnitContactBodySchema, response: { 200: UnitContactSchema, ...errors } } },
    async (request) => {
      assertCenter(request.user!)
      const problem = contactUnitProblem(app.geography, request.params.unit)
      if (problem) throw new HttpError(422, problem, { field: 'params/unit', rule: 'public-unit' })
      return unwrap(await app.directory.setContact({ unit: request.params.unit, ...request.body }, actorOfUser(request.user!)))
    },
  )
  app.delete(
    '/api/v1/directory/contacts/:unit',
    { onRequest: app.requireUser, schema: { params: UnitParamsSchema, response: { 204: NoContentSchema, ...errors } } },
    async (request, reply) => {
      assertCenter(request.user!)
      unwrap(await app.directory.removeContact(request.params.unit, actorOfUser(request.user!)), true)
      return reply.code(204).send()
    },
  )
}

export default directoryRoutes
