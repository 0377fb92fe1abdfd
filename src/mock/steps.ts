// The stream faults: from the protocol's tagged blocks and the request's
// knobs to the exact writes, waits, stalls and cuts the executors perform.

import { encode, frame, split } from './frames.js'
import type { Block } from './frames.js'
import type { MockParams } from './params.js'
import type { Tagged } from './protocols.js'
import { createRandom } from './random.js'

/**
 * One thing to do while answering. `destroy` cuts the connection without
 * the terminating chunk, once earlier writes have reached the client (the
 * seed's crashed generator); `stall` keeps it open, sending `heartbeat`
 * bytes if given, until the client goes away.
 * @public
 */
export type Step =
  | { bytes: Uint8Array }
  | { delay: number }
  | { stall: true; heartbeat?: { every: number; bytes: Uint8Array } | undefined }
  | { destroy: true }

/** Which wire format a route speaks. */
export type Protocol = 'seed' | 'text' | 'openai'

/** What the route streams before faults. */
export interface StreamInput {
  protocol: Protocol
  blocks: Tagged[]
  headers: Record<string, string>
  lastEventId: string | null
}

/** Apply the stream faults of `p` to the blocks and turn them into steps. */
export function streamSteps(input: StreamInput, p: MockParams): Step[] {
  const { protocol } = input
  const blocks = p.noDone ? input.blocks.filter((b) => b.kind !== 'done') : input.blocks
  if (p.ids) blocks.forEach((b, i) => (b.block = { ...b.block, id: String(i + 1) }))
  const random = createRandom(p.seed)
  const steps: Step[] = []
  const write = (text: string): void => {
    const bytes = encode(text, p.badUtf8)
    if (p.chunk === undefined) return void steps.push({ bytes })
    split(bytes, p.chunk, random).forEach((piece, i) => {
      // A turn of the event loop between pieces, so the client reads them separately.
      if (i > 0) steps.push({ delay: 0 })
      steps.push({ bytes: piece })
    })
  }
  const send = (block: Block): void => write(frame(block, p.eol))
  const keepalive = frame({ comment: 'keep-alive' }, p.eol)
  const wait = (ms: number): void => {
    const every = p.keepalive && 'every' in p.keepalive ? p.keepalive.every : 0
    let left = ms
    while (every > 0 && left > every) {
      steps.push({ delay: every })
      write(keepalive)
      left -= every
    }
    if (left > 0) steps.push({ delay: left })
  }

  // Resume only when ids are on: without them the seed restarts (and bills) a new generation.
  let start = 0
  const resumed = p.ids && input.lastEventId !== null && /^\d+$/.test(input.lastEventId)
  if (resumed) start = Math.min(Number(input.lastEventId), blocks.length)
  const before = blocks.slice(0, start).filter((b) => b.kind === 'token').length
  let tokens = before
  // A fault at N fires once tokens == N, but not again on the reconnect that follows it.
  const due = (n: number | undefined): boolean => n === tokens && (n > before || !resumed)

  /** Faults due now; true when the stream is over. */
  const faults = (): boolean => {
    if (due(p.badPayload)) send({ data: [protocol === 'openai' ? '{"id": "chatcmpl-mock", "choices": [{"delta": {"content": "unterminated' : "{'content': 'unterminated"] })
    if (due(p.errorEvent)) {
      const message = `Mock upstream failure after ${tokens} tokens`
      send({ event: 'error', data: [protocol === 'text' ? message : JSON.stringify({ error: { message, type: 'server_error' } })] })
      return true
    }
    if (due(p.seedError)) {
      // What `raise f"data: 错误发生:{str(e)}\n\n"` was meant to send (deepseek.py), with the TypeError the seed hits.
      send({ data: ['错误发生:can only concatenate str (not "NoneType") to str'] })
      return true
    }
    if (due(p.dropAfter)) {
      steps.push({ destroy: true })
      return true
    }
    if (due(p.stallAfter)) {
      const every = p.keepalive && 'every' in p.keepalive ? p.keepalive.every : 0
      steps.push(every ? { stall: true, heartbeat: { every, bytes: encode(keepalive) } } : { stall: true })
      return true
    }
    return false
  }

  if (p.retry !== undefined) send({ retry: p.retry })
  if (faults()) return steps
  for (const { block, kind } of blocks.slice(start)) {
    if (kind === 'token') {
      if (p.keepalive && 'count' in p.keepalive) for (let i = 0; i < p.keepalive.count; i++) write(keepalive)
      if (p.delay) wait(p.delay)
    }
    send(block)
    if (kind !== 'token') continue
    tokens++
    if (faults()) return steps
  }
  return steps
}

