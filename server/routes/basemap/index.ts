// The local PMTiles base map, served by this server in byte ranges: the wall's map reads the
// header, the directories and each tile with `Range` requests, and nothing leaves the LAN.
import { createReadStream, statSync } from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { parseRange } from '../../basemap/range'
import { HttpError } from '../../errors'
import { ErrorReplySchema, NoContentSchema } from '../../../shared/schemas/common'

/** Where the wall finds the archive, whatever the file is called on disk. */
export const BASEMAP_PMTILES_PATH = '/basemap/base.pmtiles'

/** Bytes, never JSON: documented for the reference, never run through the serializer (a stream). */
const ArchiveSchema = Type.String({ format: 'binary', description: 'The PMTiles v3 archive, whole' })
const QuerySchema = Type.Object({}, { additionalProperties: false })
const HeadersSchema = Type.Object({
  range: Type.Optional(Type.String({ maxLength: 200 })),
  'if-range': Type.Optional(Type.String({ maxLength: 200 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 1000 })),
  'if-modified-since': Type.Optional(Type.String({ maxLength: 100 })),
})

interface Validators {
  etag: string
  lastModified: string
  mtimeSec: number
}

/** `If-None-Match` lists the current ETag (weak comparison, as RFC 9110 asks for this header). */
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true
  const opaque = etag.replace(/^W\//, '')
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque)
}

function notModified(request: FastifyRequest, v: Validators): boolean {
  const inm = request.headers['if-none-match']
  if (inm !== undefined) return noneMatch(inm, v.etag)
  const ims = request.headers['if-modified-since']
  if (ims === undefined) return false
  const since = Date.parse(ims)
  return Number.isFinite(since) && v.mtimeSec * 1000 <= since
}

/** `If-Range`: the range holds only while the file is the one the client has (strong ETag or exact date). */
function rangeStillValid(request: FastifyRequest, v: Validators): boolean {
  const ifRange = request.headers['if-range']
  if (typeof ifRange !== 'string') return true
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/')) return value === v.etag
  return value === v.lastModified
}

const basemap: FastifyPluginAsyncTypebox = async (app) => {
  const source = app.basemap
  if (!source || !('pmtiles' in source)) return
  const file = source.pmtiles

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    // Stat on every request: a file replaced on disk gets a new ETag, and PMTiles readers start over.
    const stat = statSync(file, { throwIfNoEntry: false })
    if (!stat?.isFile()) throw new HttpError(404, 'the base map archive is missing on the server', { field: 'url', rule: 'exists' })
    const mtimeSec = Math.floor(stat.mtimeMs / 1000)
    const v: Validators = {
      etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
      lastModified: new Date(mtimeSec * 1000).toUTCString(),
      mtimeSec,
    }
    reply
      .header('accept-ranges', 'bytes')
      .header('etag', v.etag)
      .header('last-modified', v.lastModified)
      // Revalidated every time (cheap on a LAN): a replaced file is seen at once.
      .header('cache-control', 'private, no-cache')
    if (notModified(request, v)) return reply.code(304).send()

    const size = stat.size
    const range = rangeStillValid(request, v) ? parseRange(request.headers.range, size) : ({ kind: 'full' } as const)
    if (range.kind === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${size}`).type('application/json').send({
        statusCode: 416,
        error: 'Range Not Satisfiable',
        message: `header/range: ${request.headers.range} is not a satisfiable byte range of ${size} bytes`,
        field: 'header/range',
        rule: 'satisfiable',
      })
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, size - 1]
    reply.type('application/vnd.pmtiles').header('content-length', String(end - start + 1))
    if (range.kind === 'partial') reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`)
    if (request.method === 'HEAD' || size === 0) return reply.send()
    return reply.send(createReadStream(file, { start, end }))
  }

  app.route({
    method: ['GET', 'HEAD'],
    url: BASEMAP_PMTILES_PATH,
    onRequest: app.requireUser,
    schema: {
      querystring: QuerySchema,
      headers: HeadersSchema,
      produces: ['application/vnd.pmtiles'],
      response: {
        200: ArchiveSchema,
        206: { ...ArchiveSchema, description: 'The byte range asked for (`Range: bytes=…`)' },
        304: NoContentSchema,
        '4xx': ErrorReplySchema,
      },
    },
    handler,
  })
}

export default basemap
