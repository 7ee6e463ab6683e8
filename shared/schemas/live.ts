import Type, { type Static } from 'typebox'
import { UnitIdSchema } from './common'

/** `scope:subscribe` on `/live`. */
export const SubscribeRequestSchema = Type.Object(
  { unit: UnitIdSchema, sinceSeq: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
)
export type SubscribeRequestBody = Static<typeof SubscribeRequestSchema>
