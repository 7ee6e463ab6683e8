import { describe, expect, it } from 'vitest'
import type { TSchema } from 'typebox'
import { CreateRequestSchema, TransitionSchema } from '../../shared/schemas/requests'
import { AlertReviewSchema, CreateAlertSchema } from '../../shared/schemas/alerts'
import { PatrolBatchSchema } from '../../shared/schemas/patrols'
import { SubscribeRequestSchema } from '../../shared/schemas/live'
import { createAjv, describeValidationError } from '../../server/validate'

// The same validator configuration the API uses for bodies: strict types, no stripping.
const ajv = createAjv(false)

function check(schema: TSchema, value: unknown) {
  const validate = ajv.compile(schema)
  const ok = validate(value)
  return ok ? { ok: true as const } : { ok: false as const, ...describeValidationError('body', validate.errors![0]!) }
}

const documented: [string, TSchema][] = [
  ['CreateRequestSchema', CreateRequestSchema],
  ['TransitionSchema', TransitionSchema],
  ['CreateAlertSchema', CreateAlertSchema],
  ['AlertReviewSchema', AlertReviewSchema],
  ['PatrolBatchSchema', PatrolBatchSchema],
  ['SubscribeRequestSchema', SubscribeRequestSchema],
]

describe('schemas accept their documented examples', () => {
  for (const [name, schema] of documented) {
    const examples = examplesOf<unknown>(schema) ?? []
    it(`${name} (${examples.length} examples)`, () => {
      expect(examples.length).toBeGreaterThan(0)
      for (const example of examples) expect(check(schema, example)).toEqual({ ok: true })
    })
  }
})

function examplesOf<T>(schema: TSchema): T[] {
  return (schema as unknown as { examples: T[] }).examples
}
const request = examplesOf<Record<string, unknown>>(CreateRequestSchema)[0]!
const alert = examplesOf<Record<string, unknown>>(CreateAlertSchema)[0]!
const patrol = examplesOf<{ pings: Record<string, unknown>[] }>(PatrolBatchSchema)[0]!

describe('schemas reject each kind of bad field, naming it', () => {
  const cases: [string, TSchema, unknown, string, string][] = [
    ['unknown field', CreateRequestSchema, { ...request, extra: 1 }, 'body/extra', 'additionalProperties'],
    ['missing field', CreateRequestSchema, { ...request, source: undefined }, 'body/source', 'required'],
    ['wrong type', CreateRequestSchema, { ...request, priority: 3 }, 'body/priority', 'enum'],
    ['string for a number', CreateRequestSchema, { ...request, location: { lon: '106', lat: 38 } }, 'body/location/lon', 'type'],
    ['longitude > 180', CreateRequestSchema, { ...request, location: { lon: 190, lat: 38 } }, 'body/location/lon', 'maximum'],
    ['latitude < -90', CreateRequestSchema, { ...request, location: { lon: 106, lat: -100 } }, 'body/location/lat', 'minimum'],
    ['unknown enum value', CreateRequestSchema, { ...request, category: 'aliens' }, 'body/category', 'enum'],
    ['over-long text', CreateRequestSchema, { ...request, description: '长'.repeat(4001) }, 'body/description', 'maxLength'],
    ['over-long name', CreateRequestSchema, { ...request, reporter: { name: 'x'.repeat(65) } }, 'body/reporter/name', 'maxLength'],
    ['time without zone', CreateRequestSchema, { ...request, receivedAt: '2026-11-28T09:15:00' }, 'body/receivedAt', 'format'],
    ['empty id', CreateRequestSchema, { ...request, id: '' }, 'body/id', 'minLength'],
    ['review with a bad satisfaction', TransitionSchema, { stage: 'reviewed', review: { resolved: true, satisfaction: 'meh' } }, 'body/review/satisfaction', 'enum'],
    ['unknown stage', TransitionSchema, { stage: 'closed' }, 'body/stage', 'enum'],
    ['confidence > 1', CreateAlertSchema, { ...alert, confidence: 1.01 }, 'body/confidence', 'maximum'],
    ['snapshot URL that is not one', CreateAlertSchema, { ...alert, snapshotUrl: 'javascript:alert(1)' }, 'body/snapshotUrl', 'pattern'],
    ['unknown verdict', AlertReviewSchema, { verdict: 'maybe' }, 'body/verdict', 'enum'],
    ['too many pings', PatrolBatchSchema, { pings: Array(1001).fill(patrol.pings[0]) }, 'body/pings', 'maxItems'],
    ['no pings', PatrolBatchSchema, { pings: [] }, 'body/pings', 'minItems'],
    ['a bad ping kind', PatrolBatchSchema, { pings: [{ ...patrol.pings[0], kind: 'nap' }] }, 'body/pings/0/kind', 'enum'],
    ['negative sinceSeq', SubscribeRequestSchema, { unit: '640106', sinceSeq: -1 }, 'body/sinceSeq', 'minimum'],
    ['unit that is not a code', SubscribeRequestSchema, { unit: 'street-a' }, 'body/unit', 'pattern'],
  ]
  for (const [what, schema, value, field, rule] of cases) {
    it(what, () => {
      // JSON drops undefined fields, as the wire would.
      const result = check(schema, JSON.parse(JSON.stringify(value)))
      expect(result).toMatchObject({ ok: false, field, rule })
    })
  }
})
