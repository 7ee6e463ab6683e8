// Open311 GeoReport v2 at /open311/v2/ (server/open311): the parameters as the spec names them,
// and the replies. Query and form values arrive as text.
import Type, { type Static } from 'typebox'
import { TimestampSchema } from './common'

const JurisdictionSchema = Type.String({ minLength: 1, maxLength: 64, description: "The district's id (the geography's root), e.g. 640106" })

export const Open311QuerySchema = Type.Object({ jurisdiction_id: Type.Optional(JurisdictionSchema) }, { additionalProperties: false })
export type Open311Query = Static<typeof Open311QuerySchema>

/** `noise.json`, `noise.xml`: a service code and the format. */
export const ServiceFileParamsSchema = Type.Object(
  { file: Type.String({ maxLength: 40, pattern: '^[a-z_]{1,32}\\.(json|xml)$', examples: ['noise.json'] }) },
  { additionalProperties: false },
)

/** `<service_request_id>.json` or `.xml`. */
export const RequestFileParamsSchema = Type.Object(
  { file: Type.String({ maxLength: 69, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\\.(json|xml)$', examples: ['req-a.json'] }) },
  { additionalProperties: false },
)

/** The most requests one GET requests answers with, as the spec has it. */
export const OPEN311_MAX_REQUESTS = 1000

export const Open311RequestsQuerySchema = Type.Object(
  {
    jurisdiction_id: Type.Optional(JurisdictionSchema),
    /** Comma list; overrides every other filter. */
    service_request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 8000, pattern: '^[A-Za-z0-9._:,-]+$' })),
    /** Comma list of service codes. */
    service_code: Type.Optional(Type.String({ minLength: 1, maxLength: 400, pattern: '^[a-z_]+(,[a-z_]+)*$' })),
    start_date: Type.Optional(TimestampSchema),
    end_date: Type.Optional(TimestampSchema),
    status: Type.Optional(Type.String({ maxLength: 20, pattern: '^(open|closed)(,(open|closed))?$' })),
  },
  { additionalProperties: false },
)
export type Open311RequestsQuery = Static<typeof Open311RequestsQuerySchema>

const NumberText = Type.String({ maxLength: 32, pattern: '^-?[0-9]+(\\.[0-9]+)?$' })
const Coordinate = Type.Union([Type.Number(), NumberText])

/** POST requests: the spec's form fields (application/x-www-form-urlencoded, or the same as JSON). */
export const Open311CreateSchema = Type.Object(
  {
    api_key: Type.String({ minLength: 1, maxLength: 200, description: 'An ingest key (OUTPOST_INGEST_KEYS)' }),
    jurisdiction_id: Type.Optional(JurisdictionSchema),
    service_code: Type.String({ minLength: 1, maxLength: 32 }),
    lat: Type.Optional(Coordinate),
    long: Type.Optional(Coordinate),
    address_string: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    address_id: Type.Optional(Type.String({ maxLength: 64 })),
    email: Type.Optional(Type.String({ maxLength: 200 })),
    device_id: Type.Optional(Type.String({ maxLength: 200 })),
    account_id: Type.Optional(Type.String({ maxLength: 200 })),
    first_name: Type.Optional(Type.String({ maxLength: 32 })),
    last_name: Type.Optional(Type.String({ maxLength: 32 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 20, pattern: '^[0-9+() -]+$' })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    media_url: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  {
    additionalProperties: false,
    examples: [{ api_key: 'opk_…', jurisdiction_id: '640106', service_code: 'noise', lat: '38.4867', long: '106.2265', description: '楼上夜间装修噪音扰民' }],
  },
)
export type Open311Create = Static<typeof Open311CreateSchema>

/** Every error: a list of {code, description} (XML: <errors><error>…). */
export const Open311ErrorsSchema = Type.Array(Type.Object({ code: Type.Integer(), description: Type.String() }), {
  description: "The spec's errors: code is the HTTP status",
})
export type Open311Errors = Static<typeof Open311ErrorsSchema>

const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const Open311ServiceSchema = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: Type.String(),
  metadata: Type.Boolean(),
  type: Type.Literal('realtime'),
  keywords: Type.String(),
  group: Type.String(),
})
export const Open311ServicesSchema = Type.Array(Open311ServiceSchema)

/**
 * A service definition (its extra attributes): given only for a service whose metadata is true.
 * No category has extra attributes, so every code answers the spec's 404.
 */
export const Open311ServiceDefinitionSchema = Type.Object(
  { service_code: Type.String(), attributes: Type.Array(Type.Object({ code: Type.String(), datatype: Type.String(), required: Type.Boolean(), description: Type.String() })) },
  { description: 'A service definition: only for metadata true, which no service has now (every code answers 404)' },
)

export const Open311RequestSchema = Type.Object({
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  status_notes: Type.String(),
  service_name: Type.String(),
  service_code: Type.String(),
  description: Type.String(),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: Type.String(),
  updated_datetime: Type.String(),
  expected_datetime: Type.String(),
  address: Type.String(),
  address_id: Type.String(),
  zipcode: Type.Null(),
  lat: Type.Number(),
  long: Type.Number(),
  media_url: Type.Null(),
})
export const Open311RequestsSchema = Type.Array(Open311RequestSchema)

export const Open311CreatedSchema = Type.Array(
  Type.Object({ service_request_id: Type.String(), service_notice: Nullable(Type.String()), account_id: Type.Null() }),
)

export const Open311DiscoverySchema = Type.Object({
  changeset: Type.String(),
  contact: Type.String(),
  key_service: Type.String(),
  endpoints: Type.Array(
    Type.Object({ specification: Type.String(), url: Type.String(), changeset: Type.String(), type: Type.String(), formats: Type.Array(Type.String()) }),
  ),
})
