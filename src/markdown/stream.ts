import MarkdownIt from 'markdown-it'
import type { MarkdownIt as Parser, Token } from 'markdown-it'
import { completeTail } from './complete.js'
import { extendTail } from './extend.js'
import type { Block, MarkdownSnapshot, MarkdownStream, MarkdownStreamOptions } from './types.js'

type Refs = Record<string, { title: string; href: string }>

// One parser per configuration for the whole page: building one costs ≈ 25 ms and its first
// parse ≈ 45 ms more (linkify compiles its patterns), too much for every chat message.
// Parsing keeps no state in the instance (definitions live in the env we pass).
const parsers = new Map<string, Parser>()

// A bracketed text that could be a reference label: `[x]`, `[x][y]`, `[x]`.
const LABEL = /\[((?:\\.|[^\\[\]])+)\]/g

/**
 * Incremental Markdown over markdown-it.
 *
 * Each snapshot read parses only the tail, the text from the start of the
 * first block that may still change. A block is committed once the block
 * after it starts on a complete line: CommonMark decides where a top-level
 * block ends from the lines up to the next block's first line (a setext
 * underline or a table delimiter row only reaches one line back, into the
 * block being parsed), so no later text can change it. Committed text is
 * never parsed again.
 *
 * Link reference definitions are the one cross-block effect: `[x]: url`
 * may come after the `[x]` it defines. A block using a label defined in
 * the not-yet-committed text waits for that definition to commit; a block
 * committed before a definition of one of its labels appeared is re-parsed
 * and replaced (new id, `revision` + 1), so after `finish()` every block is
 * exactly what markdown-it makes of the whole text.
 *
 * @example
 * ```ts
 * const md = createMarkdownStream()
 * for (const token of tokens) md.append(token)
 * const { committed, tail } = md.snapshot
 * ```
 * @public
 */
export function createMarkdownStream(options: MarkdownStreamOptions = {}): MarkdownStream {
  const key = `${!!options.html}${options.linkify ?? true}${!!options.breaks}`
  const md = parsers.get(key) ?? new MarkdownIt({ html: !!options.html, linkify: options.linkify ?? true, breaks: !!options.breaks })
  parsers.set(key, md)
  const norm = md.utils.normalizeReference
  const stats = { parsedChars: 0, parses: 0 }
  let id = 0
  let refs: Refs
  let committed: Block[]
  let uses: Map<string, number[]>
  let tail: string
  let cr: boolean
  let finished: boolean
  let revision: number
  let snap: MarkdownSnapshot | undefined
  // The last parse: its snapshot, the raw tail it saw, and whether that text needed no completion.
  let base: { snap: MarkdownSnapshot; tail: string; exact: boolean } | undefined

  const parse = (src: string, env: Refs): Token[] => {
    stats.parsedChars += src.length
    stats.parses++
    return md.parse(src, { references: env })
  }
  const labelsOf = (source: string) => new Set(Array.from(source.matchAll(LABEL), (m) => norm(m[1]!)))

  function reset(): void {
    refs = Object.create(null) as Refs
    committed = []
    uses = new Map()
    tail = ''
    cr = finished = false
    revision = 0
    snap = base = undefined
  }

  /** Definitions from newly committed text: they may change blocks committed before them. */
  function define(defs: Refs, older: number): void {
    // Object.keys: own definitions only, not the inherited committed ones.
    for (const label of Object.keys(defs)) {
      if (label in refs) continue
      refs[label] = defs[label]!
      for (const i of uses.get(label) ?? []) {
        if (i >= older) break
        const old = committed[i]!
        const tokens = parse(old.source, Object.create(refs) as Refs)
        if (md.renderer.render(tokens, md.options, {}) !== md.renderer.render(old.tokens as Token[], md.options, {})) {
          committed[i] = { id: ++id, source: old.source, tokens }
          revision++
        }
      }
    }
  }

  function refresh(): MarkdownSnapshot {
    const starts = [0]
    for (let i = tail.indexOf('\n'); i >= 0; i = tail.indexOf('\n', i + 1)) starts.push(i + 1)
    const completeLines = finished ? Infinity : starts.length - 1
    const env = Object.create(refs) as Refs
    const shown = finished ? tail : completeTail(tail)
    const exact = shown === tail
    const tokens = parse(shown, env)
    const tops: number[] = []
    tokens.forEach((t, k) => t.level === 0 && t.nesting >= 0 && tops.push(k))
    const lineOf = (b: number) => (b < tops.length ? tokens[tops[b]!]!.map![0] : Infinity)
    // Where block b starts in the raw tail; past the last block only the finished text has an end.
    const charOf = (b: number) => (b < tops.length ? (b ? starts[lineOf(b)]! : 0) : finished ? tail.length : 0)
    let n = finished ? tops.length : 0
    while (n + 1 < tops.length && lineOf(n + 1) < completeLines) n++

    const pending = Object.keys(env)
    const labels = Array.from({ length: n }, (_, b) => labelsOf(tail.slice(charOf(b), charOf(b + 1))))
    let defs: Refs = {}
    // Definitions in the tail: the committed part must not use one that is still uncommitted (it may still change).
    while (pending.length && (n || finished)) {
      defs = Object.create(refs) as Refs
      parse(tail.slice(0, charOf(n)), defs)
      const later = pending.filter((l) => !Object.hasOwn(defs, l))
      const hold = labels.findIndex((set, b) => b < n && later.some((l) => set.has(l)))
      if (hold < 0) break
      n = hold
    }

    const cut = charOf(n)
    const before = committed.length
    for (let b = 0; b < n; b++) {
      const block = { id: ++id, source: tail.slice(charOf(b), charOf(b + 1)), tokens: tokens.slice(tops[b], tops[b + 1]) }
      for (const label of labels[b]!) uses.get(label)?.push(committed.length) ?? uses.set(label, [committed.length])
      committed.push(block)
    }
    if (cut) {
      // Blocks of this run were parsed with these definitions already; only older ones need a look.
      define(defs, before)
      tail = tail.slice(cut)
    }
    const rest = tokens.slice(tops[n] ?? tokens.length)
    const result = {
      committed,
      tail: rest.length && !finished ? { id: id + 1, source: tail, tokens: rest } : undefined,
      revision,
      finished,
    }
    base = { snap: result, tail, exact }
    return result
  }

  /** A snapshot without parsing, when what was appended since the last parse allows it (see extendTail). */
  function extended(): MarkdownSnapshot | undefined {
    const t = base?.exact && !finished ? base.snap.tail : undefined
    // The tail only grew since (append), so what was added is its end.
    if (!t) return
    const tokens = extendTail(t.tokens, base!.tail, tail.slice(base!.tail.length))
    return tokens && { ...base!.snap, tail: { id: t.id, source: tail, tokens } }
  }

  reset()
  return {
    append(text) {
      if (finished) throw new TypeError('MarkdownStream: append() after finish(); call reset() to start another answer')
      // CRLF and lone CR become LF (as markdown-it does), keeping a trailing CR until we know whether LF follows.
      let s = (cr ? '\r' : '') + text
      cr = s.endsWith('\r')
      if (cr) s = s.slice(0, -1)
      tail += s.replace(/\r\n?/g, '\n')
      snap = undefined
    },
    finish() {
      if (finished) return
      if (cr) tail += '\n'
      finished = true
      snap = refresh()
    },
    reset,
    get snapshot() {
      return (snap ??= extended() ?? refresh())
    },
    get stats() {
      return stats
    },
  }
}
