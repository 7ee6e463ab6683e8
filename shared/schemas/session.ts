import Type, { type Static } from 'typebox'

/** POST /api/v1/session — log in; the reply sets the session cookie. */
export const LoginSchema = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false, examples: [{ username: 'center', password: 'correct horse battery staple' }] },
)
export type Login = Static<typeof LoginSchema>

/** Who is logged in, over which unit, until when (sliding: each request moves it on). */
export const SessionReplySchema = Type.Object(
  {
    username: Type.String(),
    role: Type.Enum(['center', 'leader']),
    unit: Type.String(),
    expiresAt: Type.String(),
  },
  { examples: [{ username: 'leader-jf', role: 'leader', unit: '640106001', expiresAt: '2026-11-28T22:00:00.000Z' }] },
)
export type SessionReply = Static<typeof SessionReplySchema>
