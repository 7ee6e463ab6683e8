import Type, { type Static } from 'typebox'
import { ALERT_KINDS, VERDICTS } from '../domain'
import { EntityIdSchema, LocationSchema, TimestampSchema } from './common'

/**
 * POST /api/v1/alerts — a 雪亮工程 AI box flags something. `location` may be left out when
 * `cameraId` is registered (OUTPOST_CAMERAS): the alert then takes the camera's place. A location
 * sent is always the one kept.
 */
export const CreateAlertSchema = Type.Object(
  {
    id: Type.Optional(EntityIdSchema),
    cameraId: EntityIdSchema,
    kind: Type.Enum(ALERT_KINDS),
    confidence: Type.Number({ minimum: 0, maximum: 1 }),
    location: Type.Optional(LocationSchema),
    at: Type.Optional(TimestampSchema),
    snapshotUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^(https?://|/)[^\\s]*$' })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        id: 'box7-000123',
        cameraId: 'cam-64010600100101-1',
        kind: 'flying_wire_charging',
        confidence: 0.93,
        location: { lon: 106.2265, lat: 38.4867 },
        at: '2026-11-28T21:40:00+08:00',
        snapshotUrl: 'http://10.0.0.7/snap/000123.jpg',
      },
      // From a registered camera: placed at the camera.
      { cameraId: 'cam-jf-0001', kind: 'ebike_in_elevator', confidence: 0.88, at: '2026-11-28T21:41:00+08:00' },
    ],
  },
)
export type CreateAlert = Static<typeof CreateAlertSchema>

export const CreateAlertReplySchema = Type.Object({ id: Type.String(), seq: Type.Integer(), gridId: Type.String() })
export type CreateAlertReply = Static<typeof CreateAlertReplySchema>

/** POST /api/v1/alerts/:id/review — staff confirm or dismiss; a confirmed alert may raise a request. */
export const AlertReviewSchema = Type.Object(
  {
    verdict: Type.Enum(VERDICTS),
    at: Type.Optional(TimestampSchema),
    raiseRequest: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, examples: [{ verdict: 'confirmed', raiseRequest: true }, { verdict: 'false_positive', at: '2026-11-28T21:42:00+08:00' }] },
)
export type AlertReview = Static<typeof AlertReviewSchema>

export const AlertReviewReplySchema = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  verdict: Type.Enum(VERDICTS),
  requestId: Type.Optional(Type.String()),
})
export type AlertReviewReply = Static<typeof AlertReviewReplySchema>
