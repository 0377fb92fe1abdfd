import { StreamError, isStreamError } from '../index.js'
import type { Forks } from './branches.js'
import { invalid } from './shared.js'
import type { ChatMessage, MessagePart, StoredMessage } from './types.js'

/**
 * The current path, each branch point's other branches nested on the first
 * message after it (`branches`, `branch`), as `JSON.parse(JSON.stringify(...))`
 * would give them back, with errors reduced to code, message and status and
 * `bigint` as a decimal string (JSON.stringify throws on a bigint, and
 * `parseJsonish` makes one of any integer beyond 2^53 that a server sends
 * in `meta`).
 * @internal
 */
export function serialize(messages: readonly ChatMessage[], forks: Forks): StoredMessage[] {
  // `first`: the fork before a stored branch's first message is the one that stores it.
  const tree = (parent: ChatMessage | undefined, tail: readonly ChatMessage[], first: boolean): unknown[] =>
    tail.map((m, j) => {
      const before = j ? tail[j - 1] : parent
      const f = (j || first) && forks.at(before)
      return f && f.tails.length > 1 ? { ...m, branch: f.index, branches: f.tails.flatMap((t, k) => (k === f.index ? [] : [tree(before, t, false)])) } : m
    })
  return JSON.parse(
    JSON.stringify(tree(undefined, messages, true), (_key, v: unknown) =>
      typeof v === 'bigint' ? String(v) : isStreamError(v) ? { code: v.code, message: v.message, status: v.status } : v,
    ),
  ) as StoredMessage[]
}

const ROLES: unknown[] = ['user', 'assistant', 'system']
const STATUSES: unknown[] = ['connecting', 'streaming', 'completed', 'incomplete', 'error', 'aborted']
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * Check and revive stored messages, and their branches into `forks`. An
 * answer that was still streaming when it was stored (the page closed
 * mid-answer) becomes `incomplete`, and its tool calls that had not run
 * `output-error`: it may be cut off, so it must never look finished. A list
 * stored before parts existed gets them from `reasoning` and `text` (its
 * `toolCalls` stay, without a part: their results were never kept).
 * @internal
 */
export function restore(list: unknown, forks: Forks, parent?: ChatMessage): ChatMessage[] {
  const fail = (what: string): never => {
    throw invalid(`initialMessages${what} (see chat.serialize())`)
  }
  if (!Array.isArray(list)) fail(' is not an array')
  const out: ChatMessage[] = []
  ;(list as unknown[]).forEach((m, i) => {
    if (!isObject(m)) return fail(`[${i}] is not a message`)
    const { status = 'completed', error, parts, branches, branch, ...rest } = m
    if (
      !m.id ||
      typeof m.id !== 'string' ||
      !ROLES.includes(m.role) ||
      typeof m.text !== 'string' ||
      !STATUSES.includes(status) ||
      (parts !== undefined && !Array.isArray(parts))
    )
      fail(`[${i}] is not a message`)
    const cut = status === 'connecting' || status === 'streaming'
    const { text, reasoning } = m as Partial<ChatMessage>
    const message = {
      // Optional fields an older or hand-written list may lack.
      reasoning: '',
      meta: {},
      createdAt: 0,
      ...rest,
      parts: (
        (parts as MessagePart[] | undefined) ??
        ([...(reasoning ? [{ type: 'reasoning', text: reasoning }] : []), ...(text ? [{ type: 'text', text }] : [])] as MessagePart[])
      ).map((p) =>
        p.type === 'tool-call' && (p.state === 'streaming-input' || (cut && p.state === 'input-available'))
          ? { ...p, state: 'output-error', errorText: 'The page closed before this call ran' }
          : p,
      ),
      status: cut ? 'incomplete' : status,
      error: cut
        ? new StreamError('incomplete', 'The page closed while this answer streamed')
        : isStreamError(error) || !isObject(error)
          ? error
          : new StreamError(error.code as StreamError['code'], String(error.message), {
              status: typeof error.status === 'number' ? error.status : undefined,
            }),
    } as unknown as ChatMessage
    out.push(message)
    if (branches === undefined) return
    // The other branches at this place, with this one back at its index.
    const before = out[i - 1] ?? parent
    if (!Array.isArray(branches) || !Number.isInteger(branch) || (branch as number) < 0 || (branch as number) > branches.length)
      fail(`[${i}] has branches that are not a list and an index in it`)
    const tails = (branches as unknown[]).map((t) => restore(t, forks, before))
    tails.splice(branch as number, 0, [])
    forks.set(before, { tails, index: branch as number })
  })
  return out
}
