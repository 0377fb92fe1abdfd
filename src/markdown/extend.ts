// The common case of a snapshot read without parsing: since the last parse
// only letters, digits and spaces were appended to a paragraph's (or
// heading's, or cell's) trailing plain text, or text without a newline or
// fence character to an open code fence. Then parsing again would give the
// same tokens with that text appended, so we append it: most LLM tokens
// (" the", " server") take this path, and the tail is parsed again only
// when punctuation, a newline or markup arrives.

import type { MarkdownToken } from './types.js'

const clone = (t: MarkdownToken, patch: Partial<MarkdownToken>): MarkdownToken =>
  Object.assign(Object.create(Object.getPrototypeOf(t) as object) as MarkdownToken, t, patch)

/**
 * The tail's tokens with `added` appended, or `undefined` when only a parse can tell.
 * @param tokens the tail's tokens from the last parse, whose text needed no completion
 * @param before the raw tail at that parse
 * @param added what was appended since
 * @internal
 */
export function extendTail(tokens: readonly MarkdownToken[], before: string, added: string): MarkdownToken[] | undefined {
  let k = tokens.length - 1
  while (k >= 0 && tokens[k]!.nesting === -1) k--
  const last = tokens[k]
  if (!last) return
  let next: MarkdownToken | undefined
  if (last.type === 'inline') {
    // A letter or digit on both sides of the seam: no emphasis delimiter, entity, URL or trailing space can be involved.
    if (!/^[\p{L}\p{N} ]*[\p{L}\p{N}]$/u.test(added) || !/[\p{L}\p{N}]$/u.test(before)) return
    const kids = last.children ?? []
    const end = kids[kids.length - 1]
    const types = kids.map((c) => c.type)
    if (end?.type !== 'text' || types.lastIndexOf('link_open') > types.lastIndexOf('link_close')) return
    next = clone(last, { content: last.content + added, children: [...kids.slice(0, -1), clone(end, { content: end.content + added })] })
  } else if (last.type === 'fence' && tokens.length === 1) {
    // An open fence at column 0 whose opening line is complete: its content only grows.
    // markdown-it drops a last line of only spaces: it must have something else, before or after the seam.
    const line = before.slice(before.lastIndexOf('\n') + 1)
    if (/[\n`~]/.test(added) || !/^(`{3,}|~{3,})[^\n]*\n/.test(before) || !/\S/.test(line || added)) return
    // Still open: its content is everything after the opening line (a closed one has its closing line after).
    if (before.slice(before.indexOf('\n') + 1) !== last.content) return
    next = clone(last, { content: last.content + added })
  } else return
  return [...tokens.slice(0, k), next, ...tokens.slice(k + 1)]
}
