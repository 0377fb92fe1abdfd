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
 */
export type Step = { bytes: Uint8Array } | { delay: number } | { stall: true; heartbeat?: { every: number; bytes: Uint8Array } | undefined } | { destroy: true }

/** Which wire format a route speaks. */
export type Protocol = 'seed' | 'text' | 'openai'

/** What the route streams before faults. */
export interface StreamInput {
  protocol: Protocol
  /** Re-iterable and lazy: a 100,000-token answer is framed as it is sent. */
  blocks: Iterable<Tagged>
  headers: Record<string, string>
  lastEventId: string | null
}

/**
 * Apply the stream faults of `p` to the blocks and turn them into steps.
 * Lazy and re-iterable: each pass makes the steps as the executor asks for
 * them, so knobs that mean billions of writes (`keepalive=1ms` over a
 * 24-day `delay`, `chunk=1` over 100,000 tokens) cost memory for one write,
 * not for the whole answer.
 */
export function streamSteps(input: StreamInput, p: MockParams): Iterable<Step> {
  return { [Symbol.iterator]: () => generate(input, p) }
}

function* generate(input: StreamInput, p: MockParams): Generator<Step> {
  const { protocol } = input
  const random = createRandom(p.seed)
  function* write(text: string): Generator<Step> {
    const bytes = encode(text, p.badUtf8)
    if (p.chunk === undefined) {
      yield { bytes }
      return
    }
    let first = true
    for (const piece of split(bytes, p.chunk, random)) {
      // A turn of the event loop between pieces, so the client reads them separately.
      if (!first) yield { delay: 0 }
      first = false
      yield { bytes: piece }
    }
  }
  const send = (block: Block): Generator<Step> => write(frame(block, p.eol))
  const keepalive = frame({ comment: 'keep-alive' }, p.eol)
  const every = p.keepalive && 'every' in p.keepalive ? p.keepalive.every : 0
  function* wait(ms: number): Generator<Step> {
    let left = ms
    while (every > 0 && left > every) {
      yield { delay: every }
      yield* write(keepalive)
      left -= every
    }
    if (left > 0) yield { delay: left }
  }

  // Resume only when ids are on: without them the seed restarts (and bills) a new generation.
  const resumed = p.ids && input.lastEventId !== null && /^\d+$/.test(input.lastEventId)
  const start = resumed ? Number(input.lastEventId) : 0
  // Tokens sent before the resume point, counted as the blocks go by.
  let before = 0
  let tokens = 0
  // A fault at N fires once tokens == N, but not again on the reconnect that follows it.
  const due = (n: number | undefined): boolean => n === tokens && (n > before || !resumed)

  /** Faults due now; `over` is set when the stream is over. */
  let over = false
  function* faults(): Generator<Step> {
    if (due(p.badPayload))
      yield* send({ data: [protocol === 'openai' ? '{"id": "chatcmpl-mock", "choices": [{"delta": {"content": "unterminated' : "{'content': 'unterminated"] })
    if (due(p.errorEvent)) {
      const message = `Mock upstream failure after ${tokens} tokens`
      yield* send({ event: 'error', data: [protocol === 'text' ? message : JSON.stringify({ error: { message, type: 'server_error' } })] })
      over = true
    } else if (due(p.seedError)) {
      // What `raise f"data: 错误发生:{str(e)}\n\n"` was meant to send (deepseek.py), with the TypeError the tutorial hits.
      yield* send({ data: ['错误发生:can only concatenate str (not "NoneType") to str'] })
      over = true
    } else if (due(p.dropAfter)) {
      yield { destroy: true }
      over = true
    } else if (due(p.stallAfter)) {
      yield every ? { stall: true, heartbeat: { every, bytes: encode(keepalive) } } : { stall: true }
      over = true
    }
  }

  if (p.retry !== undefined) yield* send({ retry: p.retry })
  let index = 0
  let started = false
  for (const tagged of input.blocks) {
    if (p.noDone && tagged.kind === 'done') continue
    index++
    if (index <= start) {
      if (tagged.kind === 'token') before++
      continue
    }
    if (!started) {
      // The first block after the resume point (or of the stream): faults at `before` tokens.
      started = true
      tokens = before
      yield* faults()
      if (over) return
    }
    const block = p.ids ? { ...tagged.block, id: String(index) } : tagged.block
    if (tagged.kind === 'token') {
      if (p.keepalive && 'count' in p.keepalive) for (let i = 0; i < p.keepalive.count; i++) yield* write(keepalive)
      if (p.delay) yield* wait(p.delay)
    }
    yield* send(block)
    if (tagged.kind !== 'token') continue
    tokens++
    yield* faults()
    if (over) return
  }
  if (!started) {
    // Nothing left after the resume point (or no block at all): the faults at the start still apply.
    tokens = before
    yield* faults()
  }
}
