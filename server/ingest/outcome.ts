import type { Outcome } from '../store/types'
import { HttpError } from '../errors'

/**
 * A store failure as the HTTP error the API documents: 404 unknown, 409 conflict, lifecycle or a
 * stale `expectedStage` (its body holds the request's current `stage` and `seq`:
 * StaleStageReplySchema).
 */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value
  switch (outcome.code) {
    case 'not_found':
      // Only the by-id routes (transitions, reviews, urges, acks) can miss.
      throw new HttpError(404, outcome.message, { field: 'params/id', rule: 'exists' })
    case 'conflict':
      throw new HttpError(409, outcome.message, { field: 'body', rule: 'conflict' })
    case 'invalid_transition':
      throw new HttpError(409, outcome.message, { field: 'body/stage', rule: 'lifecycle', allowed: [...outcome.allowed] })
    case 'stale':
      throw new HttpError(409, outcome.message, { field: 'body/expectedStage', rule: 'stale', stage: outcome.current, seq: outcome.seq })
  }
}
