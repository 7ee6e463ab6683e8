// The baselines each benchmark is measured beside, in a process of their own like the server:
//
//   --mode store-nothing   Fastify with the same validation and the same route schemas as
//                          POST /api/v1/requests and /api/v1/patrols, answering without storing.
//   --mode raw-ws          a plain `ws` server that speaks just enough Engine.IO/Socket.IO for the
//                          load generator (open, namespace connect, subscribe ack) and broadcasts
//                          pre-serialised frames of the same batches Outpost sends: events generated
//                          at the rate asked for, batched by Outpost's own LiveBus (same rooms, same
//                          tick), each batch serialised once and sent with ws.send to each member.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { WebSocketServer, type WebSocket } from 'ws'
import validation from '../../server/plugins/validation'
import { ErrorReplySchema } from '../../shared/schemas/common'
import { CreateRequestReplySchema, CreateRequestSchema } from '../../shared/schemas/requests'
import { PatrolBatchSchema, PatrolReplySchema } from '../../shared/schemas/patrols'
import type { EventBatch } from '../../shared/events'
import { buildSampleGeography } from '../../shared/sample-geography'
import { Geography } from '../../server/geo/geography'
import { LiveBus } from '../../server/live/bus'
import { EventGenerator } from './lib/generator'
import type { Request } from './lib/ipc'
import { serveIpc } from './lib/serve-ipc'
import { unitRoom } from '../../shared/rooms'

const mode = process.argv[process.argv.indexOf('--mode') + 1]

if (mode === 'store-nothing') {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 }).withTypeProvider<TypeBoxTypeProvider>()
  await app.register(validation)
  let seq = 0
  app.post(
    '/api/v1/requests',
    { schema: { body: CreateRequestSchema, response: { 201: CreateRequestReplySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => reply.code(201).send({ id: request.body.id ?? `req-${seq + 1}`, seq: ++seq, gridId: '640106001001001' }),
  )
  app.post(
    '/api/v1/patrols',
    { bodyLimit: 512 * 1024, schema: { body: PatrolBatchSchema, response: { 202: PatrolReplySchema, '4xx': ErrorReplySchema } } },
    async (request, reply) => {
      seq += request.body.pings.length
      return reply.code(202).send({ accepted: request.body.pings.length, seq })
    },
  )
  await app.listen({ port: 0, host: '127.0.0.1' })
  serveIpc({ port: (app.server.address() as AddressInfo).port, ingestHeaders: {}, socketHeaders: {} }, () => app.close())
} else if (mode === 'raw-ws') {
  await rawWs()
} else {
  throw new Error(`unknown --mode ${mode}`)
}

async function rawWs(): Promise<void> {
  const geography = new Geography(buildSampleGeography())
  const server = createServer((_req, res) => res.writeHead(404).end())
  const wss = new WebSocketServer({ server, perMessageDeflate: false })
  const rooms = new Map<string, Set<WebSocket>>()
  let nextSid = 1

  wss.on('connection', (ws) => {
    const sid = `raw${nextSid++}`
    let room: Set<WebSocket> | undefined
    ws.send(`0{"sid":"${sid}","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`)
    ws.on('message', (data) => {
      const text = data.toString()
      if (text === '40/live,') {
        ws.send(`40/live,{"sid":"${sid}"}`)
      } else if (text.startsWith('42/live,')) {
        const bracket = text.indexOf('[')
        const ackId = text.slice(8, bracket)
        const [, request] = JSON.parse(text.slice(bracket)) as [string, { unit: string }]
        room?.delete(ws)
        const name = unitRoom(request.unit)
        room = rooms.get(name) ?? new Set()
        rooms.set(name, room)
        room.add(ws)
        ws.send(`43/live,${ackId}[{"ok":true,"data":{"seq":0,"snapshot":{"requests":[],"alerts":[],"workers":[]}}}]`)
      }
    })
    ws.on('close', () => room?.delete(ws))
  })

  // The same events as Outpost's, batched and serialised by the same live bus (same rooms, same
  // adaptive tick, each event's JSON made once), each room's frame encoded once and its bytes sent
  // to every member with ws.send.
  let generator: EventGenerator | undefined
  let bus: LiveBus | undefined
  const sink = (room: string, _batch: EventBatch, json: string) => {
    const members = rooms.get(room)
    if (!members) return
    const frame = Buffer.from(`42/live,["events:batched",${json}]`)
    for (const ws of members) ws.send(frame)
  }

  const handle = (request: Request) => {
    if (request.type === 'configure') {
      generator?.stop()
      bus?.close()
      generator = new EventGenerator(request.pool, 1)
      bus = new LiveBus({ geography, tickMs: request.tickMs, sink, isWatched: (room) => (rooms.get(room)?.size ?? 0) > 0 })
      return {}
    }
    if (request.type === 'rate') {
      if (!generator) throw new Error('configure first')
      generator.run(request.eventsPerSec, request.intervalMs, (events) => bus!.publish(events))
      return {}
    }
    if (request.type === 'records') return { records: generator?.takeRecords() ?? [] }
    throw new Error(`unknown request ${request.type}`)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  serveIpc(
    { port: (server.address() as AddressInfo).port, ingestHeaders: {}, socketHeaders: {} },
    async () => {
      generator?.stop()
      bus?.close()
      for (const ws of wss.clients) ws.terminate()
      await new Promise<void>((resolve) => wss.close(() => server.close(() => resolve())))
    },
    handle,
  )
}
