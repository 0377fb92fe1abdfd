// Inline text parsed in pieces, so that a growing paragraph costs the
// parser its new words, not its whole text at every read.
//
// A seam is a position in the text after a space and before a non-space
// where nothing before it can still change: no emphasis run that may open
// is unmatched (markdown-it's own delimiter list says so, see `settled`),
// every code span, link bracket and link destination is closed. Then
// CommonMark parses the text after the seam as it would alone: emphasis
// only looks back for openers, a run's flanking sees a space on both
// sides of the seam, and no code span, link, autolink, entity, escape,
// bare URL or hard break can contain the space. The pieces' tokens are
// joined, merging the text tokens that meet at the seam, as one parse of
// the whole text would have made them.

import type { MarkdownIt as Parser, Token } from 'markdown-it'
import { closeInline, openRuns } from './complete.js'

/** The settled start of the text being written, and its tokens. @internal */
export interface Settled {
  text: string
  kids: Token[]
}

/** Env of one parse: the reference definitions, and whether its emphasis left an opener unmatched. @internal */
export interface Env {
  references: Record<string, { title: string; href: string }>
  open?: boolean
}

/**
 * The last seam in `text[from, to)`, or `from`: scanned for code spans,
 * brackets and link destinations (emphasis is checked by the parser).
 * Where unsure it finds no seam: that costs a longer parse, never a wrong one.
 */
function lastSeam(text: string, from: number, to: number): number {
  let best = from
  let code = 0
  let depth = 0
  let paren = 0
  let quote = ''
  // Inside `<...>` (no space), a `]` may belong to an autolink, which markdown-it skips whole: it closes nothing here.
  let angle = 0
  for (let i = from; i < to; i++) {
    const c = text[i]!
    if (c === '<' && i >= angle) angle = i + (/^<[^\s<>]*>/.exec(text.slice(i, i + 400))?.[0].length ?? 0)
    if (code || c === '`') {
      let n = 1
      while (text[i + n] === '`') n += 1
      if (c === '`') code = !code ? n : code === n ? 0 : code
      i += c === '`' ? n - 1 : 0
    } else if (c === '\\') i++
    else if (paren) {
      if (quote) quote = c === quote ? '' : quote
      else if (c === '"' || c === "'" || c === '<') quote = c === '<' ? '>' : c
      else paren += c === '(' ? 1 : c === ')' ? -1 : 0
    } else if (c === '[') depth++
    else if (c === ']' && depth && i >= angle) {
      depth--
      if (!depth && text[i + 1] === '(') {
        paren = 1
        i++
      }
    } else if (c === ' ' && !code && !depth && !paren && i + 1 < to && !/\s/.test(text[i + 1]!)) best = i + 1
  }
  return best
}

export const clone = (t: Token, patch: Partial<Token>): Token => Object.assign(Object.create(Object.getPrototypeOf(t) as object) as Token, t, patch)

/** Tokens of two pieces as one parse makes them: the text tokens where they meet become one. */
export function join(a: readonly Token[], b: readonly Token[]): Token[] {
  const x = a[a.length - 1]
  const y = b[0]
  if (x?.type === 'text' && y?.type === 'text') return [...a.slice(0, -1), clone(x, { content: x.content + y.content }), ...b.slice(1)]
  return [...a, ...b]
}

/**
 * Parse inline text, reusing `settled` when the text starts with it, and
 * moving the seam forward when a later one is found.
 * @param complete close what the last line left open (see closeInline)
 * @returns the tokens, the new settled start, and what completion appended (`undefined`: it changed the text)
 * @internal
 */
export function parsePieces(
  parse: (src: string, env: Env) => Token[],
  env: Env,
  text: string,
  complete: boolean,
  settled: Settled | undefined,
): { kids: Token[]; settled: Settled | undefined; extra: string | undefined } {
  const reuse = settled && text.length > settled.text.length && text.startsWith(settled.text) && !/\s/.test(text[settled.text.length]!)
  const from = reuse ? settled.text.length : 0
  const prev = reuse ? settled.kids : []
  const ls = text.lastIndexOf('\n') + 1
  const shown = complete ? text.slice(0, ls) + closeInline(text.slice(ls), Math.max(0, from - ls)) : text
  // Completion removed everything after the seam (and the space before it): parse it whole.
  if (shown.length <= from) return { kids: parse(shown, env), settled, extra: undefined }
  // What completion appended, when it only appended.
  const extra = shown.startsWith(text) ? shown.slice(text.length) : undefined
  // Where the completed text starts to differ: a seam must come before it.
  let same = ls
  while (same < text.length && text[same] === shown[same]) same++
  const at = lastSeam(text, from, Math.min(same, text.length))
  // The closing of the last line must not depend on what is before the seam either.
  const ps = text.lastIndexOf('\n', at - 1) + 1
  const loose = openRuns(text, ps, at)
  if (at > from && !loose.runs.length && !loose.code && !openRuns(text, ps, at, true).runs.length) {
    const b = parse(shown.slice(at), env)
    const piece = text.slice(from, at)
    // Text that no inline rule (nor a bare link, which needs `.`, `:` or `@`) acts on is one text token.
    const plain = PLAIN.test(piece)
    const a = plain
      ? [clone(b[0]!, { type: 'text', tag: '', nesting: 0, content: piece, markup: '', info: '', attrs: null, children: null, level: 0 })]
      : parse(piece, env)
    if (plain || !env.open) {
      const kids = join(prev, a)
      return { kids: join(kids, b), settled: { text: text.slice(0, at), kids }, extra }
    }
  }
  return { kids: join(prev, parse(shown.slice(from), env)), settled: reuse ? settled : undefined, extra }
}

const PLAIN = /^[^*_~`\\[\]<>&!.:@\n]*$/

/** Install the hook that tells `parsePieces` whether emphasis left an opener unmatched. @internal */
export function watchOpeners(md: Parser): void {
  md.inline.ruler2.push('llm_sse_open', (state) => {
    ;(state.env as Env).open = state.delimiters.some((d) => d.open && d.end < 0)
  })
}
