// The audit trail: who read unmasked personal data, who exported, who changed the directory or the
// users, who acted on what. Append-only; for the center role only; never on the live stream.
import Type, { type Static } from 'typebox'
import { TimestampSchema, UnitIdSchema } from './common'

export const AUDIT_ACTIONS = [
  'request.read', // the center's unmasked request view
  'request.create',
  'request.transition',
  'request.urge',
  'alert.review',
  'alarm.ack',
  'export.csv',
  'directory.change',
  'user.change',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** `user` (a session), `key` (an ingest key), `cli` (the command line, with the OS account). */
export const AuditActorSchema = Type.Object({ kind: Type.Union([Type.Literal('user'), Type.Literal('key'), Type.Literal('cli')]), name: Type.String() })
export type AuditActor = Static<typeof AuditActorSchema>

export const AuditEntrySchema = Type.Object({
  at: Type.String(),
  actor: AuditActorSchema,
  action: Type.Enum(AUDIT_ACTIONS),
  /** What was acted on: `request:<id>`, `alarm:<id>`, `department:<id>`, `user:<name>`, `export:<what>`. */
  target: Type.String(),
  /** The unit it concerns, when there is one (a request's grid, a rota entry's street). */
  unit: Type.Union([Type.String(), Type.Null()]),
})
export type AuditEntry = Static<typeof AuditEntrySchema>

export const AuditQuerySchema = Type.Object(
  {
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    unit: Type.Optional(UnitIdSchema),
    from: Type.Optional(TimestampSchema),
    to: Type.Optional(TimestampSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
)

/** GET /api/v1/audit — newest first, at most `limit` (1,000 by default). */
export const AuditReplySchema = Type.Object({ entries: Type.Array(AuditEntrySchema) })
export type AuditReply = Static<typeof AuditReplySchema>

/** POST /api/v1/audit/exports — the client records a CSV it exported (the data it already shows). */
export const ExportRecordSchema = Type.Object(
  { what: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_.-]+$' }), unit: UnitIdSchema, rows: Type.Integer({ minimum: 0, maximum: 1_000_000 }) },
  { additionalProperties: false },
)
export type ExportRecord = Static<typeof ExportRecordSchema>
