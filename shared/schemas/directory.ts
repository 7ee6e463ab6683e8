// The directory: departments (部门) that sit at streets on a rota (轮班坐班), and pools of experts
// (法律, 心理 …) residents can be referred to. Managed by the center (console admin page, `npm run
// directory`); an expert's contact is the center's alone (masked for leaders, never public).
import Type, { type Static } from 'typebox'
import { DEPARTMENT_KINDS, EXPERT_POOLS } from '../domain'
import { EntityIdSchema, TimestampSchema, UnitIdSchema } from './common'

/** HH:MM, 00:00–24:00 (24:00 only as a slot's end). */
export const ClockSchema = Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', examples: ['08:30'] })

export const DepartmentSchema = Type.Object(
  {
    id: EntityIdSchema,
    name: Type.String({ minLength: 1, maxLength: 64 }),
    kind: Type.Enum(DEPARTMENT_KINDS),
  },
  { additionalProperties: false, examples: [{ id: 'zj-jf', name: '金凤区住建局', kind: 'housing' }] },
)
export type Department = Static<typeof DepartmentSchema>

/** A rota entry (坐班): a department at a street on a weekday (1 Monday … 7 Sunday), [from, to) local time. */
export const RotaEntrySchema = Type.Object(
  {
    id: Type.String(),
    departmentId: EntityIdSchema,
    streetId: UnitIdSchema,
    weekday: Type.Integer({ minimum: 1, maximum: 7 }),
    from: ClockSchema,
    to: ClockSchema,
  },
  { additionalProperties: false },
)
export type RotaEntry = Static<typeof RotaEntrySchema>
export const NewRotaEntrySchema = Type.Omit(RotaEntrySchema, ['id'], {
  additionalProperties: false,
  examples: [{ departmentId: 'zj-jf', streetId: '640106001', weekday: 1, from: '09:00', to: '12:00' }],
})
export type NewRotaEntry = Static<typeof NewRotaEntrySchema>

export const ExpertSchema = Type.Object(
  {
    id: EntityIdSchema,
    pool: Type.Enum(EXPERT_POOLS),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    /** A phone or other contact: in clear for the center only, masked for leaders. */
    contact: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false, examples: [{ id: 'law-01', pool: 'legal', name: '王律师', contact: '13912345678' }] },
)
export type Expert = Static<typeof ExpertSchema>

/** GET /api/v1/directory — the whole directory (contacts masked unless the center asks). */
export const DirectoryReplySchema = Type.Object({
  departments: Type.Array(DepartmentSchema),
  rota: Type.Array(RotaEntrySchema),
  experts: Type.Array(Type.Object({ id: Type.String(), pool: Type.Enum(EXPERT_POOLS), name: Type.String(), contact: Type.String() })),
})
export type DirectoryReply = Static<typeof DirectoryReplySchema>

/** GET /api/v1/directory/on-duty?unit=&at= — the departments sitting at the unit's street at `at` (now by default). */
export const OnDutyQuerySchema = Type.Object(
  { unit: Type.Optional(UnitIdSchema), at: Type.Optional(TimestampSchema) },
  { additionalProperties: false },
)
export const OnDutyReplySchema = Type.Object({
  /** The street asked about (a grid or community asks about its street; the district: every street). */
  at: Type.String(),
  entries: Type.Array(
    Type.Object({
      department: DepartmentSchema,
      streetId: Type.String(),
      from: ClockSchema,
      to: ClockSchema,
      /** On duty at `at` (false: later today). */
      now: Type.Boolean(),
    }),
  ),
})
export type OnDutyReply = Static<typeof OnDutyReplySchema>

/**
 * A unit's public contact for reporting a problem (如何反映问题), shown on its kiosks and inherited
 * by the units below it that have none: an office or service number, never a person's phone.
 */
export const UnitContactBodySchema = Type.Object(
  {
    /** An office (landline) or service number: 3–24 of digits, spaces, + ( ) -; a mobile number is refused. */
    phone: Type.String({ minLength: 3, maxLength: 24, pattern: '^[0-9+() -]+$' }),
    /** What the kiosk's QR code encodes: a URL (http or https) or a short text. */
    qr: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    /** When the office answers, as it should read on the kiosk ("工作日 8:30–17:30"). */
    hours: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false, examples: [{ phone: '0951-5012345', qr: 'https://example.org/report?unit=640106001', hours: '工作日 8:30–12:00, 13:30–17:30' }] },
)
export type UnitContactBody = Static<typeof UnitContactBodySchema>

export const UnitContactSchema = Type.Object(
  {
    unit: UnitIdSchema,
    phone: Type.String(),
    qr: Type.Optional(Type.String()),
    hours: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)
export type UnitContact = Static<typeof UnitContactSchema>

export const UnitParamsSchema = Type.Object({ unit: UnitIdSchema }, { additionalProperties: false })
export const UnitContactsReplySchema = Type.Object({ contacts: Type.Array(UnitContactSchema) })
