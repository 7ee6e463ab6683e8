// A camera alert's snapshot, through this server: the page asks with its session, the alert must be
// in the user's scope, and the server fetches the image itself within the bounds of
// server/snapshots/fetcher.ts. The page never holds the camera's own URL (the CSP allows images of
// this origin only), and the camera never sees a screen's address or cookie.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { ErrorReplySchema, IdParamsSchema } from '../../../shared/schemas/common'
import { ALERT_SNAPSHOT_ROUTE } from '../../../shared/snapshots'
import { canSee } from '../../auth/scope'
import { HttpError } from '../../errors'
import { SNAPSHOT_TYPES, SnapshotBusyError, SnapshotFetcher, type LocalSnapshotSource, type SnapshotOptions } from '../../snapshots/fetcher'

export interface SnapshotRouteOptions extends SnapshotOptions {
  /** How long a browser may keep the image (`Cache-Control: private, max-age`), in seconds. */
  maxAgeSec?: number
}

/** Bytes, never JSON: documented for the reference, never run through the serializer (a Buffer). */
const SnapshotImageSchema = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The snapshot: a JPEG, PNG or WebP image' })
const BusySchema = { ...ErrorReplySchema, description: 'Too many snapshots are being fetched; try again after `Retry-After` seconds (ErrorReply)' }

const snapshotRoutes: FastifyPluginAsyncTypebox<SnapshotRouteOptions> = async (app, options) => {
  const { maxAgeSec = 300, ...fetchOptions } = options
  // A path of this server is read from the app itself, without a session: only what any visitor
  // may load (the built client's files) can be a snapshot.
  const local: LocalSnapshotSource = async (path, signal) => {
    const res = await app.inject({ method: 'GET', url: path, headers: { accept: SNAPSHOT_TYPES.join(', ') }, payloadAsStream: true, signal })
    return { status: res.statusCode, headers: res.headers, body: res.stream() }
  }
  const fetcher = new SnapshotFetcher(fetchOptions, local)
  app.addHook('onClose', async () => fetcher.close())

  app.get(
    ALERT_SNAPSHOT_ROUTE,
    {
      onRequest: app.requireUser,
      schema: {
        params: IdParamsSchema,
        produces: [...SNAPSHOT_TYPES],
        response: { 200: SnapshotImageSchema, '4xx': ErrorReplySchema, 503: BusySchema },
      },
    },
    async (request, reply) => {
      const id = request.params.id
      const alert = await app.store.getAlert(id)
      // Outside the scope reads as unknown, as GET /api/v1/requests/:id does.
      if (!alert || !canSee(app.geography, request.user!, alert.gridId)) {
        throw new HttpError(404, `alert ${id} not found`, { field: 'params/id', rule: 'exists' })
      }
      if (!alert.snapshotUrl) throw new HttpError(404, `alert ${id} has no snapshot`, { field: 'params/id', rule: 'snapshot' })
      let result
      try {
        result = await fetcher.get(alert.snapshotUrl)
      } catch (error) {
        if (!(error instanceof SnapshotBusyError)) throw error
        reply.header('retry-after', '1')
        throw new HttpError(503, `too many snapshots are being fetched (${error.message}); try again in a second`, { field: 'params/id', rule: 'busy' })
      }
      if (!result.ok) {
        request.log.info({ alertId: id, reason: result.reason }, 'snapshot unavailable')
        throw new HttpError(404, `the snapshot of alert ${id} cannot be had: ${result.reason}`, { field: 'params/id', rule: 'snapshot' })
      }
      return reply
        .header('cache-control', `private, max-age=${maxAgeSec}`)
        .header('x-content-type-options', 'nosniff')
        .type(result.image.type)
        .send(result.image.bytes)
    },
  )
}

export default snapshotRoutes
