// Open311 GeoReport v2 at /open311/v2/ (README "Open311"): discovery, services, requests (read
// without a login, no personal data) and POST requests with an ingest key as `api_key`, written
// through the same store path as POST /api/v1/requests (source `app`). Every reply in JSON or XML
// by the name's extension; every error in the spec's format.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorObject } from 'ajv'
import { CATEGORIES, type Category, type Priority } from '../../shared/domain'
import type { Policy } from '../../shared/metrics'
import type { RequestDetail } from '../../shared/schemas/requests'
import {
  OPEN311_MAX_REQUESTS,
  Open311CreatedSchema,
  Open311CreateSchema,
  Open311DiscoverySchema,
  Open311ErrorsSchema,
  Open311QuerySchema,
  Open311RequestsQuerySchema,
  Open311RequestsSchema,
  Open311ServiceDefinitionSchema,
  Open311ServicesSchema,
  RequestFileParamsSchema,
  ServiceFileParamsSchema,
} from '../../shared/schemas/open311'
import { DAY_MS } from '../../shared/time'
import { HttpError } from '../errors'
import { newId, place } from '../ingest/normalize'
import { unwrap } from '../ingest/outcome'
import { describeValidationError } from '../validate'
import { agencyOf, GridPlaces, isServiceCode, requestRecord, serviceList, serviceNotice, type RecordContext } from './mapping'
import { list, toXml, type XmlValue } from './xml'
import { formatOfUrl, OPEN311_PREFIX, sendOpen311Error, type Format } from './errors'

export interface Open311Options {
  policy: Policy
  timeZone: string
}

const FORMATS: readonly Format[] = ['json', 'xml']
const XML_TYPE = 'text/xml; charset=utf-8'
const SPEC = 'http://wiki.open311.org/GeoReport_v2'
/** When this endpoint last changed its shape (discovery's changeset). */
const CHANGESET = '2026-12-06T00:00:00+08:00'
/** The most a start_date–end_date window may span, and the default window. */
const MAX_SPAN_MS = 90 * DAY_MS
/** A verified key has this id part (server/plugins/auth.ts): what the rate limit counts by. */
const KEY_ID = /^opk_([0-9a-f]{12})_/

function formatOf(request: FastifyRequest): Format {
  return formatOfUrl(request.url)
}

function send(reply: FastifyReply, format: Format, root: string, item: string | null, value: unknown, code = 200): FastifyReply {
  if (format === 'json') return reply.code(code).send(value)
  const xml = item === null ? toXml(root, value as XmlValue) : toXml(root, list(item, value as XmlValue[]))
  return reply.code(code).type(XML_TYPE).send(xml)
}

function sendErrors(reply: FastifyReply, format: Format, code: number, description: string): FastifyReply {
  return sendOpen311Error(reply, format, code, description)
}

const PART: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'header' }

const open311: FastifyPluginAsyncTypebox<Open311Options> = async (app, options) => {
  const districtId = app.geography.district.id
  const places = new GridPlaces(app.geography)
  const context: RecordContext = {
    places,
    policy: options.policy,
    timeZone: options.timeZone,
    agency: (target) =>
      agencyOf(target, {
        department: (id) => app.directory.department(id)?.name,
        expertPool: (id) => app.directory.expert(id)?.pool,
      }),
  }

  // The spec's form posts; fields are text, a repeated one a list (which the schema refuses).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const fields: Record<string, string | string[]> = {}
    for (const [key, value] of new URLSearchParams(body as string)) {
      const had = Object.hasOwn(fields, key) ? fields[key] : undefined
      Object.defineProperty(fields, key, { value: had === undefined ? value : [had].flat().concat(value), enumerable: true, writable: true, configurable: true })
    }
    done(null, fields)
  })

  app.setErrorHandler((error: FastifyError & { validation?: ErrorObject[]; validationContext?: string }, request, reply) => {
    const format = formatOf(request)
    if (error instanceof HttpError) return sendErrors(reply, format, error.statusCode, error.message)
    if (error.validation && error.validation.length > 0) {
      return sendErrors(reply, format, 400, describeValidationError(PART[error.validationContext ?? 'body'] ?? 'body', error.validation[0]!).message)
    }
    const status = error.statusCode ?? 500
    if (status >= 500) {
      request.log.error({ err: error }, 'open311 request failed')
      return sendErrors(reply, format, 500, 'internal error')
    }
    return sendErrors(reply, format, status, error.message)
  })

  app.setNotFoundHandler((request, reply) => sendErrors(reply, formatOf(request), 404, `no Open311 resource at ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 100)}`))

  const checkJurisdiction = (id: string | undefined, field: string) => {
    if (id !== undefined && id !== districtId) {
      throw new HttpError(404, `${field} ${id} not found: this endpoint serves ${districtId} (${app.geography.district.name})`, { field, rule: 'jurisdiction' })
    }
  }

  /** Reads need no login; nothing they answer names a person. */
  const errors = { '4xx': Open311ErrorsSchema }

  for (const format of FORMATS) {
    const produces = [format === 'json' ? 'application/json' : 'text/xml']

    app.get(`/discovery.${format}`, { schema: { querystring: Open311QuerySchema, produces, response: { 200: Open311DiscoverySchema, ...errors } } as never }, async (request, reply) => {
      const base = `${request.protocol}://${request.host}/open311/v2/`
      const discovery = {
        changeset: CHANGESET,
        contact: `${app.geography.district.name} 综治中心 (Outpost)`,
        key_service: 'api_key: an ingest key issued by the center (npm run users -- key add <name>)',
        endpoints: [{ specification: SPEC, url: base, changeset: CHANGESET, type: 'production', formats: ['text/xml', 'application/json'] }],
      }
      if (format === 'json') return reply.send(discovery)
      return send(reply, 'xml', 'discovery', null, { ...discovery, endpoints: list('endpoint', discovery.endpoints.map((e) => ({ ...e, formats: list('format', e.formats) }))) })
    })

    app.get(`/services.${format}`, { schema: { querystring: Open311QuerySchema, produces, response: { 200: Open311ServicesSchema, ...errors } } as never }, async (request, reply) => {
      checkJurisdiction((request.query as { jurisdiction_id?: string }).jurisdiction_id, 'jurisdiction_id')
      return send(reply, format, 'services', 'service', serviceList())
    })

    app.get(`/requests.${format}`, { schema: { querystring: Open311RequestsQuerySchema, produces, response: { 200: Open311RequestsSchema, ...errors } } as never }, async (request, reply) => {
      const query = request.query as import('../../shared/schemas/open311').Open311RequestsQuery
      checkJurisdiction(query.jurisdiction_id, 'jurisdiction_id')
      const records = await findRequests(query)
      return send(reply, format, 'service_requests', 'request', records.map((detail) => requestRecord(detail, context)))
    })

    app.post(
      `/requests.${format}`,
      {
        bodyLimit: 16 * 1024,
        // The key comes in the body: checked as soon as the body is read, before validation, and
        // counted at once with the key's every other ingest request.
        preValidation: async (request, reply) => {
          const body = request.body as { api_key?: unknown } | null
          const key = typeof body?.api_key === 'string' ? body.api_key : undefined
          const checked = key ? app.auth.checkKey(key) : undefined
          const source = checked instanceof Promise ? await checked : checked
          const id = key ? KEY_ID.exec(key)?.[1] : undefined
          if (!source || !id) throw new HttpError(403, 'invalid api_key: send an ingest key of this center as api_key', { field: 'body/api_key', rule: 'authenticated' })
          request.ingestSource = source
          request.ingestKeyId = id
          await app.limitIngestKey(request, reply)
        },
        schema: { body: Open311CreateSchema, produces, response: { 201: Open311CreatedSchema, 200: Open311CreatedSchema, ...errors } } as never,
      },
      async (request, reply) => {
        const body = request.body as import('../../shared/schemas/open311').Open311Create
        checkJurisdiction(body.jurisdiction_id, 'jurisdiction_id')
        if (!isServiceCode(body.service_code)) throw new HttpError(404, `service_code ${body.service_code} not found: GET services for the list`, { field: 'body/service_code', rule: 'exists' })
        const category: Category = body.service_code
        const location = locationOf(body)
        const placed = place(app.geography, location, body.lat !== undefined ? 'lat/long' : 'address_string')
        const name = [body.last_name, body.first_name].filter((s) => s !== undefined && s.trim() !== '').join('')
        const priority: Priority = category === 'utilities' ? 'utilities' : 'general'
        const now = app.now()
        const outcome = await app.store.createRequest({
          id: newId('req'),
          fingerprint: '',
          source: 'app',
          category,
          priority,
          ...placed,
          receivedAt: now,
          ...(body.description !== undefined && body.description !== '' ? { description: body.description } : {}),
          ...(name || body.phone ? { reporter: { ...(name ? { name: name.slice(0, 64) } : {}), ...(body.phone ? { phone: body.phone } : {}) } } : {}),
          actor: { kind: 'key', source: request.ingestSource! },
        })
        const created = unwrap(outcome)
        const deadline = now + options.policy.deadlines[priority].resolutionSec * 1000
        return send(reply, format, 'service_requests', 'request', [{ service_request_id: created.id, service_notice: serviceNotice(deadline, options.timeZone), account_id: null }], 201)
      },
    )
  }

  app.get('/services/:file', { schema: { querystring: Open311QuerySchema, params: ServiceFileParamsSchema, response: { 200: Open311ServiceDefinitionSchema, ...errors } } as never }, async (request, reply) => {
    const { file } = request.params as { file: string }
    const format: Format = file.endsWith('.xml') ? 'xml' : 'json'
    const code = file.slice(0, file.lastIndexOf('.'))
    checkJurisdiction((request.query as { jurisdiction_id?: string }).jurisdiction_id, 'jurisdiction_id')
    // No category takes extra attributes (metadata false): there is no definition to give.
    const why = isServiceCode(code) ? `service_code ${code} has no service definition (metadata is false: no extra attributes)` : `service_code ${code} not found`
    return sendErrors(reply, format, 404, why)
  })

  app.get(
    '/requests/:file',
    { schema: { querystring: Open311QuerySchema, params: RequestFileParamsSchema, response: { 200: Open311RequestsSchema, ...errors } } as never },
    async (request, reply) => {
      const { file } = request.params as { file: string }
      const format: Format = file.endsWith('.xml') ? 'xml' : 'json'
      const id = file.slice(0, file.lastIndexOf('.'))
      checkJurisdiction((request.query as { jurisdiction_id?: string }).jurisdiction_id, 'jurisdiction_id')
      const detail = await app.store.getRequest(id)
      if (!detail) return sendErrors(reply, format, 404, `service_request_id ${id} not found`)
      return send(reply, format, 'service_requests', 'request', [requestRecord(detail, context)])
    },
  )

  /** GET requests: by ids, or the window's requests newest first, at most 1000. */
  async function findRequests(query: import('../../shared/schemas/open311').Open311RequestsQuery): Promise<RequestDetail[]> {
    if (query.service_request_id !== undefined) {
      const ids = [...new Set(query.service_request_id.split(',').filter((s) => s !== ''))]
      if (ids.length > OPEN311_MAX_REQUESTS) throw new HttpError(400, `service_request_id names more than ${OPEN311_MAX_REQUESTS} requests`, { field: 'query/service_request_id', rule: 'maxItems' })
      const found = await Promise.all(ids.map((id) => app.store.getRequest(id)))
      return found.filter((d): d is RequestDetail => d !== undefined)
    }
    const codes = query.service_code?.split(',')
    for (const code of codes ?? []) {
      if (!isServiceCode(code)) throw new HttpError(404, `service_code ${code} not found`, { field: 'query/service_code', rule: 'exists' })
    }
    const start = query.start_date !== undefined ? Date.parse(query.start_date) : undefined
    const end = query.end_date !== undefined ? Date.parse(query.end_date) : undefined
    for (const [ms, field] of [[start, 'start_date'], [end, 'end_date']] as const) {
      if (ms !== undefined && !Number.isFinite(ms)) throw new HttpError(400, `${field} is not a valid date-time`, { field: `query/${field}`, rule: 'format' })
    }
    // The spec's default: the most recent 90 days; a window given may span no more.
    const to = end ?? (start !== undefined ? Math.min(start + MAX_SPAN_MS, app.now()) : app.now())
    const from = start ?? to - MAX_SPAN_MS
    // A start still to come, with no end: nothing has been requested yet.
    if (end === undefined && to < from) return []
    if (to < from) throw new HttpError(400, 'end_date is before start_date', { field: 'query/end_date', rule: 'order' })
    if (to - from > MAX_SPAN_MS) throw new HttpError(400, 'start_date to end_date may not span more than 90 days', { field: 'query/end_date', rule: 'span' })
    const statuses = query.status?.split(',')
    const facts = await app.store.requestsReceived(app.geography.ref(districtId)!, from, to + 1)
    const wanted = facts.filter((f) => {
      if (codes && !codes.includes(f.category)) return false
      if (statuses) {
        const last = f.stages.length ? f.stages[f.stages.length - 1]!.stage : 'received'
        const status = last === 'resolved' || last === 'reviewed' ? 'closed' : 'open'
        if (!statuses.includes(status)) return false
      }
      return true
    })
    wanted.sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : -1))
    const page = wanted.slice(0, OPEN311_MAX_REQUESTS)
    const details = await Promise.all(page.map((f) => app.store.getRequest(f.id)))
    return details.filter((d): d is RequestDetail => d !== undefined)
  }

  /** lat/long, or an address that names a grid, community or street of the district (its grid's point). */
  function locationOf(body: import('../../shared/schemas/open311').Open311Create): { lon: number; lat: number } {
    if (body.lat !== undefined || body.long !== undefined) {
      if (body.lat === undefined || body.long === undefined) throw new HttpError(400, 'lat and long go together: send both', { field: body.lat === undefined ? 'body/lat' : 'body/long', rule: 'required' })
      const lat = Number(body.lat)
      const lon = Number(body.long)
      if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) throw new HttpError(400, 'lat/long lie outside WGS84 ranges', { field: 'body/lat', rule: 'range' })
      return { lon, lat }
    }
    if (body.address_string === undefined) {
      throw new HttpError(400, 'a location is required: send lat and long, or address_string', { field: 'body/lat', rule: 'required' })
    }
    const unit = unitNamedIn(body.address_string)
    if (!unit) {
      throw new HttpError(400, `address_string names no grid, community or street of ${app.geography.district.name}: send lat and long`, { field: 'body/address_string', rule: 'located' })
    }
    const point = places.of(unit)
    return { lon: point.long, lat: point.lat }
  }

  /** The most specific unit whose name the address holds (the longest name at the lowest level), as a grid. */
  function unitNamedIn(address: string): string | undefined {
    for (const level of ['grid', 'community', 'street'] as const) {
      const named = app.geography.units.filter((u) => u.level === level && u.name.length >= 2 && address.includes(u.name))
      named.sort((a, b) => b.name.length - a.name.length)
      let unit = named[0]
      if (!unit) continue
      while (unit && unit.level !== 'grid') unit = app.geography.children(unit.id)[0]
      if (unit) return unit.id
    }
    return undefined
  }
}

export { OPEN311_PREFIX }
/** The categories, in the order GET services lists them. */
export const OPEN311_SERVICES = CATEGORIES
export default open311
