import MarkdownIt from 'markdown-it'
import type { MarkdownIt as Parser, Token } from 'markdown-it'
import { WAITS_FOR_EOL, fenceAfter, holdBack } from './complete.js'
import { clone, parsePieces, watchOpeners } from './inline.js'
import type { Env, Settled } from './inline.js'
import type { Block, MarkdownSnapshot, MarkdownStream, MarkdownStreamOptions } from './types.js'

type Refs = Record<string, { title: string; href: string }>

// One parser per configuration for the whole page: building one costs ≈ 25 ms and its first
// parse ≈ 45 ms more (linkify compiles its patterns), too much for every chat message.
// Parsing keeps no state in the instance (definitions live in the env we pass).
const parsers = new Map<string, Parser>()

// A bracketed text that could be a reference label: `[x]`, `[x][y]`, `[x]`.
const LABEL = /\[((?:\\.|[^\\[\]])+)\]/g
const WORD = /^[\p{L}\p{N} ]*[\p{L}\p{N}]$/u
const BLANK = /(^|\n)[ \t]*\n/

/** A fenced code block's text in `shown` from `start`, as markdown-it keeps it: a last line of only spaces is dropped. */
const fenceText = (shown: string, start: number) => {
  const text = shown.slice(start)
  const ls = text.lastIndexOf('\n') + 1
  return /\S/.test(text.slice(ls)) ? text : text.slice(0, ls)
}

/** The last read, and how the next one may skip the block parse. */
interface Base {
  snap: MarkdownSnapshot
  /** The raw tail it saw (after what it committed). */
  tail: string
  /** The tail's tokens, inline children included. */
  rest: Token[]
  env: Refs
  /** The last line is a paragraph's: the index of its inline token, its text before trimming, and what completion appended to it (`undefined`: it changed it). */
  k: number
  raw: string
  extra: string | undefined
  /** The tail is one open fenced code block from its first line: its run (`` ``` ``) and where its code starts. */
  fence: { run: string; start: number } | undefined
}

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
  let md = parsers.get(key)
  if (!md) {
    md = new MarkdownIt({ html: !!options.html, linkify: options.linkify ?? true, breaks: !!options.breaks })
    watchOpeners(md)
    parsers.set(key, md)
  }
  const parser = md
  const norm = parser.utils.normalizeReference
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
  let base: Base | undefined
  // The settled start of the last text being written (see inline.ts), and the other texts' tokens by content.
  let settled: Settled | undefined
  let known = new Map<string, Token[]>()
  let tailDefs = '{}'
  // The last block parse of the tail: what it saw (up to its line count) and made.
  let same: { shown: string; tokens: Token[]; extra: string | undefined; env: Refs } | undefined
  // Whether a fenced code block is open after the tail's complete lines up to `at` (a loose scan, for holdBack).
  let fence = { at: 0, open: '' }
  // The tail is a list: its text before the last item's line, and its tokens up to that item.
  let list: { text: string; lines: number; head: Token[] } | undefined

  const count = (src: string) => {
    stats.parsedChars += src.length
    stats.parses++
  }
  const parse = (src: string, env: Refs): Token[] => {
    count(src)
    return parser.parse(src, { references: env })
  }
  // The block structure alone: the inline texts are parsed (or not) by us.
  const blocks = (src: string, env: Refs): Token[] => {
    count(src)
    const out: Token[] = []
    parser.block.parse(src.replace(/\0/g, '\uFFFD'), parser, { references: env }, out)
    return out
  }
  // The last inline parse: a text being written often shows the same for several reads (a link's URL, a held `*`).
  let last: { src: string; env: Env; kids: Token[]; open: boolean | undefined } | undefined
  const inline = (src: string, env: Env): Token[] => {
    if (last && last.src === src && last.env.references === env.references) {
      env.open = !!last.open
      return last.kids
    }
    last = { src, env, kids: parseOne(src, env), open: env.open }
    return last.kids
  }
  const parseOne = (src: string, env: Env): Token[] => {
    count(src)
    return parser.parseInline(src, env as never)[0]!.children!
  }
  const labelsOf = (source: string) => new Set(Array.from(source.matchAll(LABEL), (m) => norm(m[1]!)))

  function reset(): void {
    refs = Object.create(null) as Refs
    committed = []
    uses = new Map()
    tail = ''
    cr = finished = false
    revision = 0
    snap = base = settled = same = list = undefined
    known = new Map()
    fence = { at: 0, open: '' }
  }

  /** Definitions from newly committed text: they may change blocks committed before them. */
  function define(defs: Refs, older: number): void {
    // Object.keys: own definitions only, not the inherited committed ones.
    for (const label of Object.keys(defs)) {
      if (label in refs) continue
      refs[label] = defs[label]!
      // Texts parsed before may have used the label.
      settled = undefined
      known = new Map()
      for (const i of uses.get(label) ?? []) {
        if (i >= older) break
        const old = committed[i]!
        const tokens = parse(old.source, Object.create(refs) as Refs)
        if (parser.renderer.render(tokens, parser.options, {}) !== parser.renderer.render(old.tokens as Token[], parser.options, {})) {
          committed[i] = { id: ++id, source: old.source, tokens }
          revision++
        }
      }
    }
  }

  /** The tail's tokens: its blocks, then each inline text from what is known of it. */
  function tokensOf(env: Refs): { tokens: Token[]; shown: string; extra: string | undefined } {
    const lines = tail.lastIndexOf('\n') + 1
    if (fence.at < lines) {
      fence.open = fenceAfter(fence.open, tail.slice(fence.at, lines - 1))
      fence.at = lines
    }
    const shown = holdBack(tail, !!fence.open)
    // Only a held-back line changed since the last parse: the blocks are the same.
    if (
      same &&
      (shown === same.shown ||
        (shown === `${same.shown}\n` && /(^|\n)$/.test(same.shown) && !/^(fence|code_block|html)/.test(same.tokens[lastOpen(same.tokens)]?.type ?? '')))
    ) {
      // ...or a blank line was added, which changes no block unless it ends in code (or raw HTML).
      same.shown = shown
      // The definitions it found are still in the tail.
      Object.assign(env, same.env)
      return same
    }
    // The paragraph line being written ended (blank lines may follow), and the next is held back: the blocks
    // are the same, its text is complete.
    const added = base ? tail.slice(base.tail.length) : ''
    const nl = added.indexOf('\n')
    const done =
      base && nl >= 0 && !/\S/.test(added.slice(nl, added.lastIndexOf('\n'))) && shown.length === lines ? grow(base, added.slice(0, nl), false) : undefined
    if (done) {
      same = { shown, tokens: done.tokens, extra: '', env }
      return same
    }
    const tokens = after(shown, env) ?? listRest(shown, env) ?? blocks(shown, env)
    list = undefined
    // A list: remember its items before the last one, final once a later item starts (see listRest).
    let li = tokens.length
    while (li-- && !(tokens[li]!.type === 'list_item_open' && tokens[li]!.level === 1));
    const line = tokens[li]?.map?.[0] ?? 0
    if (/^(bullet|ordered)_list_open$/.test(tokens[0]?.type ?? '') && line && !BLANK.test(shown) && !shown.includes(']:')) {
      let at = 0
      for (let n = line; n--; ) at = shown.indexOf('\n', at) + 1
      list = { text: shown.slice(0, at), lines: line, head: tokens.slice(0, li) }
    }
    // A definition in the tail appeared or changed: texts parsed before may use it.
    const defs = JSON.stringify(env)
    if (defs !== tailDefs) {
      tailDefs = defs
      settled = undefined
      known = new Map()
    }
    const ienv: Env = { references: env }
    const last = lastOpen(tokens)
    // The last line is being written in this text: close what it left open.
    const complete = shown === tail && /\S/.test(tail.slice(lines)) && tokens[last]?.type === 'inline'
    const next = new Map<string, Token[]>()
    let extra: string | undefined = ''
    tokens.forEach((t, i) => {
      if (t.type !== 'inline') return
      const hit = i !== last || !complete ? known.get(t.content) : undefined
      if (hit) t.children = hit
      else {
        const r = parsePieces(inline, ienv, t.content, i === last && complete, settled)
        t.children = r.kids
        if (i === last) {
          settled = r.settled
          extra = r.extra
        }
      }
      if (i !== last || !complete) next.set(t.content, t.children!)
    })
    known = next
    same = { shown, tokens, extra, env }
    return same
  }

  /** Blocks of `src`, a text that starts on line `lines` of the tail. */
  function blocksAt(src: string, lines: number, env: Refs): Token[] {
    return shift(blocks(src, env), lines)
  }

  /**
   * The tail's tokens parsing only what follows its last blank line, when the
   * last parse saw that blank line and the block before it cannot go on after
   * one: not an open fence, raw HTML, nor a list or indented code followed by
   * a line that may continue it. No block reaches back over a blank line.
   */
  function after(shown: string, env: Refs): Token[] | undefined {
    if (!same) return
    const prev = same.shown.slice(0, same.shown.lastIndexOf('\n') + 1)
    let q = 0
    for (const m of prev.matchAll(/\n[ \t]*\n/g)) q = m.index + m[0].length
    const head = prev.slice(0, q)
    const rest = shown.slice(q)
    if (!q || !shown.startsWith(head) || head.includes(']:')) return
    const lines = head.split('\n').length - 1
    const { tokens } = same
    let k = 0
    let top: Token | undefined
    for (; k < tokens.length && !(tokens[k]!.level === 0 && tokens[k]!.nesting >= 0 && tokens[k]!.map![0] >= lines); k++)
      if (tokens[k]!.level === 0 && tokens[k]!.nesting >= 0) top = tokens[k]
    if (!top || /html/.test(top.type) || (top.type === 'fence' && top.map![1] >= lines)) return
    if (/^(bullet_list|ordered_list|code_block)/.test(top.type) && !/^[^\s\-*+\d]/.test(rest)) return
    return [...tokens.slice(0, k), ...blocksAt(rest, lines, env)]
  }

  /**
   * A list's tokens parsing only its last item: an item that starts on a line of its own (at the
   * list's indent, same marker) ends the items before it, and without a blank line the list stays tight.
   */
  function listRest(shown: string, env: Refs): Token[] | undefined {
    if (!list || !shown.startsWith(list.text) || BLANK.test(shown)) return
    const { text, lines, head } = list
    const open = head[0]!
    const rest = shown.slice(text.length)
    if (/^ {0,3}(?:[-*+]|\d{1,9}[.)])(?=[ \t\n]|$)/.exec(rest)?.[0].slice(-1) !== open.markup) return
    const toks = blocksAt(rest, lines, env)
    const t = toks[0]
    if (t?.type !== open.type || t.markup !== open.markup || t.map![0] !== lines) return
    return [clone(open, { map: [0, t.map![1]] }), ...head.slice(1), ...toks.slice(1)]
  }

  function refresh(): MarkdownSnapshot {
    const starts = [0]
    for (let i = tail.indexOf('\n'); i >= 0; i = tail.indexOf('\n', i + 1)) starts.push(i + 1)
    const completeLines = finished ? Infinity : starts.length - 1
    const env = Object.create(refs) as Refs
    const { tokens, shown, extra } = finished ? { tokens: parse(tail, env), shown: tail, extra: '' } : tokensOf(env)
    const tops: number[] = []
    tokens.forEach((t, k) => t.level === 0 && t.nesting >= 0 && tops.push(k))
    const lineOf = (b: number) => (b < tops.length ? tokens[tops[b]!]!.map![0] : Infinity)
    // Where block b starts in the raw tail; past the last block only the finished text has an end.
    const charOf = (b: number) => (b < tops.length ? (b ? starts[lineOf(b)]! : 0) : finished ? tail.length : shown.length)
    let n = finished ? tops.length : 0
    // A block that a complete blank line ends is final: not a list or indented code (they may go on
    // after one), nor an open fence (it runs to the end, blank lines included), and the blank line must be shown.
    const ended = (b: number) => {
      const t = tokens[tops[b]!]!
      const end = t.map![1]
      // A list or indented code goes on after a blank line only with an indented line.
      if (b + 1 < tops.length)
        return end < lineOf(b + 1) && (!/^(bullet_list|ordered_list|code_block|html_block)/.test(t.type) || /^\S/.test(tail.slice(starts[lineOf(b + 1)])))
      return (
        /^(paragraph|heading|blockquote|table)_open|^hr|^fence/.test(t.type) &&
        end < completeLines &&
        starts[end]! < shown.length &&
        !/\S/.test(tail.slice(starts[end], starts[end + 1]))
      )
    }
    while (n < tops.length && (lineOf(n + 1) < completeLines || ended(n))) n++

    const pending = Object.keys(env)
    const labels = Array.from({ length: n }, (_, b) => labelsOf(tail.slice(charOf(b), charOf(b + 1))))
    let defs: Refs = {}
    // Definitions in the tail: the committed part must not use one that is still uncommitted (it may still change).
    while (pending.length && (n || finished)) {
      defs = Object.create(refs) as Refs
      blocks(tail.slice(0, charOf(n)), defs)
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
      same = list = undefined
      const at = tail.lastIndexOf('\n') + 1
      fence = { at, open: fenceAfter('', tail.slice(0, Math.max(0, at - 1))) }
    }
    const rest = tokens.slice(tops[n] ?? tokens.length)
    // The tail's lines are counted from its new start.
    if (cut) shift(rest, -lineOf(n))
    const result = {
      committed,
      tail: rest.length && !finished ? { id: id + 1, source: tail, tokens: rest } : undefined,
      revision,
      finished,
    }
    base = undefined
    if (!finished && !options.html && rest.length && shown.length === tail.length + cut) {
      const k = lastOpen(rest)
      const open = /^(`{3,}|~{3,})[^\n]*\n/.exec(tail)
      const f = rest.length === 1 && rest[0]!.type === 'fence' && open && fence.open && rest[0]!.markup === open[1]
      // The last line is a paragraph's or an ATX heading's, and ends its text.
      const text = rest[k]?.type === 'inline' ? rest[k]!.content : undefined
      const open2 = rest[k - 1]
      const para =
        text !== undefined &&
        (open2?.type === 'paragraph_open' || open2?.markup[0] === '#') &&
        /\S/.test(tail.slice(tail.lastIndexOf('\n') + 1)) &&
        tail.trimEnd().endsWith(text.slice(text.lastIndexOf('\n') + 1))
      if ((f && rest[0]!.content === fenceText(tail, open[0].length)) || (para && !tail.includes(']:')))
        base = {
          snap: result,
          tail,
          rest,
          env,
          k: para ? k : -1,
          raw: para ? rest[k]!.content + /\s*$/.exec(tail)![0] : '',
          extra,
          fence: f ? { run: open[1]!, start: open[0].length } : undefined,
        }
    }
    return result
  }

  /**
   * The tail's tokens when its last line, a paragraph's or an ATX heading's,
   * got `added` (no newline): the blocks stay as they are, only that text is
   * parsed again (from its last seam, see inline.ts). Updates `base`.
   * @param complete the line is still being written (close what it left open)
   */
  function grow(b: Base, added: string, complete: boolean): { tokens: Token[] } | undefined {
    const { rest, k } = b
    const t = rest[k]
    const raw = b.raw + added
    // A definition may take the text; an ATX heading's closing `#`s are not its text.
    if (!t || (b.tail.slice(-1) + added).includes(']:') || (rest[k - 1]!.type === 'heading_open' && /(^|\s)#+\s*$/.test(raw))) return
    const kids = t.children ?? []
    // The text or code the line ends in, before the closers completion appended.
    let j = kids.length - 1
    // (markdown-it leaves an empty text token where a closing run was)
    while (j >= 0 && (/^(strong|em|s)_close$/.test(kids[j]!.type) || (kids[j]!.type === 'text' && !kids[j]!.content))) j--
    const end = kids[j]
    const types = kids.map((c) => c.type)
    let children: Token[]
    let extra = b.extra
    // Letters and digits on both sides of the seam, inside the same text or code span: no delimiter, entity,
    // trailing space or bare link (it needs `.`, `:` or `@`) is involved, and completion appends the same closers.
    if (
      complete &&
      extra !== undefined &&
      types.lastIndexOf('link_open') <= types.lastIndexOf('link_close') &&
      (end?.type === 'text'
        ? WORD.test(added) &&
          /[\p{L}\p{N}]$/u.test(b.raw) &&
          /[\p{L}\p{N}]$/u.test(end.content) &&
          !/[.:@]\S*$/.test(end.content) &&
          !extra.startsWith('`') &&
          !extra === kids.slice(j + 1).every((c) => !c.nesting)
        : // Inside an open code span only a backtick or a line end changes anything; its code must
          // start and end with a non-space (else CommonMark strips one of each).
          end?.type === 'code_inline' &&
          extra.startsWith('`') &&
          /^[^`\n]*[^`\s]$/.test(added) &&
          /^\S/.test(end.content) &&
          b.raw.endsWith(`\`${end.content}`))
    )
      children = [...kids.slice(0, j), clone(end!, { content: end!.content + added }), ...kids.slice(j + 1)]
    else {
      const r = parsePieces(inline, { references: b.env }, raw.trimEnd(), complete, settled)
      settled = r.settled
      children = r.kids
      extra = r.extra
    }
    const tokens = [...rest.slice(0, k), clone(t, { content: raw.trimEnd(), children }), ...rest.slice(k + 1)]
    base = { ...b, raw, extra }
    return { tokens }
  }

  /** A snapshot without a block parse, when only the last line grew (or an open fence got more code). */
  function extended(): MarkdownSnapshot | undefined {
    if (!base || finished) return
    const added = tail.slice(base.tail.length)
    const { rest } = base
    let tokens: Token[]
    if (base.fence) {
      const { run, start } = base.fence
      // A closing fence on a complete line ends the block: that takes a parse.
      const lines = tail.slice(base.tail.lastIndexOf('\n') + 1, tail.lastIndexOf('\n') + 1)
      const close = new RegExp(`^ {0,3}${run[0]}{${run.length},}[ \\t]*$`, 'm')
      if (close.test(lines)) return
      const at = tail.lastIndexOf('\n') + 1
      if (fence.at < at) {
        fence.open = fenceAfter(fence.open, tail.slice(fence.at, at - 1))
        fence.at = at
      }
      if (!fence.open) return
      tokens = [clone(rest[0]!, { content: fenceText(holdBack(tail, true), start) })]
    } else {
      const line = tail.slice(tail.lastIndexOf('\n') + 1)
      const nl = added.indexOf('\n')
      // A new line that starts with a letter at column 0 goes on a paragraph (lazily, in a list or quote): nothing else starts so.
      const next = nl < 0 || (nl === added.lastIndexOf('\n') && /^\p{L}/u.test(line) && base.rest[base.k - 1]?.type === 'paragraph_open')
      const r = next && !WAITS_FOR_EOL.test(line) ? grow(base, added, true) : undefined
      if (!r) return
      tokens = r.tokens
      if (nl >= 0) {
        // Blocks that ended on the old last line now end on the new one.
        const end = base.tail.split('\n').length
        tokens = tokens.map((t) => (t.map && t.map[1] >= end ? clone(t, { map: [t.map[0], t.map[1] + 1] }) : t))
      }
    }
    const result = { ...base.snap, tail: { id: id + 1, source: tail, tokens } }
    base = { ...base, snap: result, tail, rest: tokens }
    return result
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

/** Move tokens `n` lines down (they are the parser's own, or the tail's). */
function shift(tokens: Token[], n: number): Token[] {
  for (const t of tokens) if (t.map) t.map = [t.map[0] + n, t.map[1] + n]
  return tokens
}

/** Index of the last token that is not a closing one (the deepest block the text ends in). */
function lastOpen(tokens: readonly Token[]): number {
  let k = tokens.length - 1
  while (k >= 0 && tokens[k]!.nesting === -1) k--
  return k
}
