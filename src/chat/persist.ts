import { StreamError, isStreamError } from '../index.js'
import { invalid } from './shared.js'
import type { ChatMessage, StoredMessage } from './types.js'

/**
 * Messages as `JSON.parse(JSON.stringify(...))` would give them back, with
 * errors reduced to code, message and status and `bigint` as a decimal
 * string (JSON.stringify throws on a bigint, and `parseJsonish` makes one of
 * any integer beyond 2^53 that a server sends in `meta`).
 * @internal
 */
export const serialize = (messages: readonly ChatMessage[]): StoredMessage[] =>
  JSON.parse(
    JSON.stringify(messages, (_key, v: unknown) =>
      typeof v === 'bigint' ? String(v) : isStreamError(v) ? { code: v.code, message: v.message, status: v.status } : v,
    ),
  ) as StoredMessage[]

const ROLES: unknown[] = ['user', 'assistant', 'system']
const STATUSES: unknown[] = ['connecting', 'streaming', 'completed', 'incomplete', 'error', 'aborted']
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/**
 * Check and revive stored messages. An answer that was still streaming when
 * it was stored (the page closed mid-answer) becomes `incomplete`: it may be
 * cut off, so it must never look finished.
 * @internal
 */
export function restore(list: unknown): ChatMessage[] {
  const fail = (what: string): never => {
    throw invalid(`initialMessages${what} (see chat.serialize())`)
  }
  if (!Array.isArray(list)) fail(' is not an array')
  return (list as unknown[]).map((m, i) => {
    if (!isObject(m)) return fail(`[${i}] is not a message`)
    const { status = 'completed', error } = m
    if (!m.id || typeof m.id !== 'string' || !ROLES.includes(m.role) || typeof m.text !== 'string' || !STATUSES.includes(status))
      fail(`[${i}] is not a message`)
    const cut = status === 'connecting' || status === 'streaming'
    return {
      // Optional fields an older or hand-written list may lack.
      reasoning: '',
      meta: {},
      createdAt: 0,
      ...(m as Partial<ChatMessage>),
      status: cut ? 'incomplete' : (status as ChatMessage['status']),
      error: cut
        ? new StreamError('incomplete', 'The page closed while this answer streamed')
        : isStreamError(error) || !isObject(error)
          ? (error as StreamError | undefined)
          : new StreamError(error.code as StreamError['code'], String(error.message), {
              status: typeof error.status === 'number' ? error.status : undefined,
            }),
    } as ChatMessage
  })
}
