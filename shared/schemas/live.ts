import Type, { type Static } from 'typebox'
import { UnitIdSchema } from './common'

/** `scope:subscribe` on `/live`. */
export const SubscribeRequestSchema = Type.Object(
  { unit: UnitIdSchema, sinceSeq: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false, examples: [{ unit: '640106001' }, { unit: '64010600100101', sinceSeq: 1042 }] },
)
export type SubscribeRequestBody = Static<typeof SubscribeRequestSchema>
