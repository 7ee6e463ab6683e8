// The client's reply types are the server's schemas' Static types, not restatements: a client type
// that drifts from its schema (a number typed as a string, a field added on one side) fails the
// type check, which runs over the tests.
import type { Static } from 'typebox'
import { describe, expectTypeOf, it } from 'vitest'
import type { BasemapConfig, EventsReply as WallEventsReply, GridMetricsReply as WallGridMetricsReply } from '../../client/api'
import type { AlertItem, OverdueItem, OverdueReply as LeaderOverdueReply, Reporter, RequestListItem, WorkerItem } from '../../client/leader/api'
import type { LoginResult, SessionCheck } from '../../client/stores/session'
import type { GridFigures } from '../../client/lib/grid-figures'
import type { ConfigReplySchema } from '../../shared/schemas/config'
import type { EventsReplySchema } from '../../shared/schemas/events'
import type { GridMetricsReplySchema } from '../../shared/schemas/metrics'
import type { SessionReplySchema } from '../../shared/schemas/session'
import type { AlertListSchema, OverdueReplySchema, RequestListSchema, WorkerListSchema } from '../../shared/schemas/views'

type Item<S extends { items: unknown[] }> = S['items'][number]

describe('client reply types', () => {
  it('the leader pages read the list and overdue replies as the schemas say', () => {
    expectTypeOf<LeaderOverdueReply>().toEqualTypeOf<Static<typeof OverdueReplySchema>>()
    expectTypeOf<OverdueItem>().toEqualTypeOf<Item<Static<typeof OverdueReplySchema>>>()
    expectTypeOf<RequestListItem>().toEqualTypeOf<Item<Static<typeof RequestListSchema>>>()
    expectTypeOf<Reporter>().toEqualTypeOf<NonNullable<Item<Static<typeof RequestListSchema>>['reporter']>>()
    expectTypeOf<WorkerItem>().toEqualTypeOf<Item<Static<typeof WorkerListSchema>>>()
    expectTypeOf<AlertItem>().toEqualTypeOf<Item<Static<typeof AlertListSchema>>>()
    // The drift that once was: times in the lists are epoch ms, not ISO text.
    expectTypeOf<RequestListItem['receivedAt']>().toEqualTypeOf<number>()
    expectTypeOf<WorkerItem['at']>().toEqualTypeOf<number>()
  })

  it('the wall reads grids, events and config as the schemas say', () => {
    expectTypeOf<WallGridMetricsReply>().toEqualTypeOf<Static<typeof GridMetricsReplySchema>>()
    expectTypeOf<GridFigures>().toEqualTypeOf<Static<typeof GridMetricsReplySchema>['grids'][number]>()
    expectTypeOf<WallEventsReply>().toEqualTypeOf<Static<typeof EventsReplySchema>>()
    expectTypeOf<BasemapConfig>().toEqualTypeOf<NonNullable<Static<typeof ConfigReplySchema>['basemap']>>()
  })

  it('the session check and login answer the session schema', () => {
    expectTypeOf<Extract<SessionCheck, { status: 'ok' }>['user']>().toEqualTypeOf<Static<typeof SessionReplySchema>>()
    expectTypeOf<Extract<LoginResult, { ok: true }>['user']>().toEqualTypeOf<Static<typeof SessionReplySchema>>()
  })
})
