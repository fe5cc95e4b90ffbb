// A @supabase/realtime-js client driven over stdin/stdout, one JSON object per line.
//
// Commands (stdin) carry an "id" and an "op"; each gets exactly one {"type":"reply","id",...}:
//   {"op":"connect","url","apikey","vsn","token"?,"trace"?,"heartbeatIntervalMs"?}
//        create the client (trace: report raw frames)
//   {"op":"join","topic","config","presence"?,"postgres"?}   register listeners, then subscribe;
//        postgres: [{"label","event","schema","table"?,"filter"?}], one listener per binding
//   {"op":"send","topic","event","payload"}                  broadcast; reply {"result"}
//   {"op":"send_binary","topic","event","hex"}               broadcast the bytes as an
//        ArrayBuffer; reply {"result"}
//   {"op":"track","topic","payload"} / {"op":"untrack","topic"}      reply {"result"}
//   {"op":"presence_state","topic"}                          reply {"state"}
//   {"op":"leave","topic"}                                   reply {"result"}
//   {"op":"rest_send","topic","event","payload","private","via":"httpSend"|"send"}
//        broadcast over REST from a channel never joined (httpSend, or send()'s fallback),
//        then remove that channel; reply {"result"}
//   {"op":"close"}                                           disconnect, reply, exit
// Events (stdout), as they happen:
//   {"type":"status","topic","status","error"}      subscribe status changes
//   {"type":"heartbeat","status"}                   heartbeat sent / ok / error / timeout
//   {"type":"broadcast","topic","event","payload","meta"}
//   {"type":"presence","topic","kind":"sync"|"join"|"leave","key"?,"presences"?}
//   {"type":"postgres_changes","topic","label","payload"}
//   {"type":"system","topic","payload"}
//   {"type":"frame","dir":"in"|"out","text"|"hex"}   raw socket frames, when traced
import { createInterface } from 'node:readline'
import { RealtimeClient } from '@supabase/realtime-js'
import WebSocket from 'ws'

const emit = (message) => process.stdout.write(JSON.stringify(message) + '\n')

const frameOf = (dir, data) => {
  if (typeof data === 'string') return { type: 'frame', dir, text: data }
  if (Buffer.isBuffer(data)) return { type: 'frame', dir, hex: data.toString('hex') }
  if (data instanceof ArrayBuffer) return { type: 'frame', dir, hex: Buffer.from(data).toString('hex') }
  return { type: 'frame', dir, hex: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex') }
}

// The ws transport, reporting every frame in both directions.
class TracingWebSocket extends WebSocket {
  constructor(address, protocols) {
    super(address, protocols)
    this.on('message', (data, isBinary) => emit(frameOf('in', isBinary ? data : data.toString('utf8'))))
  }

  send(data, ...rest) {
    emit(frameOf('out', data))
    return super.send(data, ...rest)
  }
}

let client = null
const channels = new Map()

const channelFor = (topic) => {
  const channel = channels.get(topic)
  if (!channel) throw new Error(`no channel joined for ${topic}`)
  return channel
}

const operations = {
  connect({ url, apikey, vsn, token, trace, heartbeatIntervalMs }) {
    client = new RealtimeClient(url, {
      params: { apikey },
      vsn,
      transport: trace ? TracingWebSocket : WebSocket,
      heartbeatCallback: (status) => emit({ type: 'heartbeat', status }),
      ...(heartbeatIntervalMs ? { heartbeatIntervalMs } : {}),
    })
    if (token) client.setAuth(token)
    client.connect()
    return {}
  },

  join({ topic, config, presence, postgres }) {
    const channel = client.channel(topic, { config })
    channels.set(topic, channel)
    channel.on('broadcast', { event: '*' }, (message) =>
      emit({ type: 'broadcast', topic, event: message.event, payload: message.payload, meta: message.meta ?? null }),
    )
    channel.on('system', {}, (payload) => emit({ type: 'system', topic, payload }))
    if (presence) {
      channel.on('presence', { event: 'sync' }, () => emit({ type: 'presence', topic, kind: 'sync' }))
      channel.on('presence', { event: 'join' }, ({ key, newPresences }) =>
        emit({ type: 'presence', topic, kind: 'join', key, presences: newPresences }),
      )
      channel.on('presence', { event: 'leave' }, ({ key, leftPresences }) =>
        emit({ type: 'presence', topic, kind: 'leave', key, presences: leftPresences }),
      )
    }
    for (const { label, ...filter } of postgres ?? []) {
      channel.on('postgres_changes', filter, (payload) => emit({ type: 'postgres_changes', topic, label, payload }))
    }
    channel.subscribe((status, error) => emit({ type: 'status', topic, status, error: error ? String(error.message ?? error) : null }))
    return {}
  },

  async send({ topic, event, payload }) {
    return { result: await channelFor(topic).send({ type: 'broadcast', event, payload }) }
  },

  async send_binary({ topic, event, hex }) {
    const bytes = Buffer.from(hex, 'hex')
    const payload = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    return { result: await channelFor(topic).send({ type: 'broadcast', event, payload }) }
  },

  async track({ topic, payload }) {
    return { result: await channelFor(topic).track(payload) }
  },

  async untrack({ topic }) {
    return { result: await channelFor(topic).untrack() }
  },

  presence_state({ topic }) {
    return { state: channelFor(topic).presenceState() }
  },

  async rest_send({ topic, event, payload, private: isPrivate, via }) {
    const channel = client.channel(topic, { config: { private: isPrivate } })
    try {
      if (via === 'httpSend') return { result: await channel.httpSend(event, payload) }
      return { result: await channel.send({ type: 'broadcast', event, payload }) }
    } finally {
      await client.removeChannel(channel)
    }
  },

  async leave({ topic }) {
    const result = await channelFor(topic).unsubscribe()
    channels.delete(topic)
    return { result }
  },

  async close() {
    if (client) await client.disconnect()
    return {}
  },
}

const handle = async (line) => {
  if (!line.trim()) return
  const { id, op, ...args } = JSON.parse(line)
  try {
    const operation = operations[op]
    if (!operation) throw new Error(`unknown op ${op}`)
    emit({ type: 'reply', id, ok: true, ...(await operation(args)) })
  } catch (error) {
    emit({ type: 'reply', id, ok: false, error: String(error?.message ?? error) })
  }
  if (op === 'close') process.exit(0)
}

// Commands run concurrently: a send waiting for its ack does not hold up the next command.
createInterface({ input: process.stdin })
  .on('line', handle)
  .on('close', () => process.exit(0))
