// Half-written Markdown at the end of a stream, shown as it will most likely
// end: the tail's text is edited before it is parsed, and the edit only ever
// touches its last, unfinished line, so a committed block never sees it.

// A last line made only of markers so far may still become a setext
// underline, a thematic break, a table delimiter, a list item, a quote, a
// heading or a fence: shown now, it would flash as text and then jump.
const MARKERS_ONLY = /^ {0,3}(?:[-=*_+:|#>~`\s]|\d+[.)]?)*$/
// A table row (or a reference definition) waits for its line end.
const WAITS_FOR_EOL = /^ {0,3}(?:\||\[[^\]]*\]:)/
const FENCE = /^[\s>]*(`{3,}|~{3,})(.*)$/

/**
 * The tail's text as it will most likely end.
 * @param text the raw tail, starting at a line start
 * @internal
 */
export function completeTail(text: string): string {
  const cut = text.lastIndexOf('\n') + 1
  const line = text.slice(cut)
  let head = text.slice(0, cut)
  if (openFence(head)) return /^\s*(`+|~+)\s*$/.test(line) ? head : text
  if (MARKERS_ONLY.test(line) || WAITS_FOR_EOL.test(line)) {
    // A `| a | b |` line right after a non-table line may be a table header
    // whose delimiter row is being typed: it waits too, rather than show as a paragraph first.
    const prev = head.slice(head.lastIndexOf('\n', head.length - 2) + 1)
    const before = head.slice(0, head.length - prev.length)
    if (/^ {0,3}\|/.test(prev) && !/(^|\n) {0,3}\|[^\n]*\n$/.test(before)) head = before
    return head
  }
  // Indented code: its text is literal.
  return /^( {4}|\t)/.test(line) ? text : head + closeInline(line)
}

/** Whether a fenced code block is still open at the end of `text` (a loose scan: fences in lists and quotes count). */
function openFence(text: string): boolean {
  let open = ''
  for (const l of text.split('\n')) {
    const m = FENCE.exec(l)
    if (!m) continue
    const run = m[1]!
    if (!open) {
      if (!(run[0] === '`' && m[2]!.includes('`'))) open = run
    } else if (run[0] === open[0] && run.length >= open.length && !m[2]!.trim()) open = ''
  }
  return !!open
}

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c)
const isPunct = (c: string | undefined) => c !== undefined && /[\p{P}\p{S}]/u.test(c)

/**
 * Close what the last line left open. Trailing characters that may start a
 * construct (`*`, `_`, `` ` ``, `\`, `<`, `[`, `!`, `&amp`) are held back,
 * so they never flash; `[text](htt` shows as `text` until its `)`; open
 * code spans, `**`, `~~` and word-initial `*`/`_` are closed (the flanking
 * rules of CommonMark decide what is an opener, so `2 * 3`, `snake_case`
 * and `f(*args` never turn emphasis on).
 */
function closeInline(input: string): string {
  let line = input.replace(/(?:[*_~`\\!<]+|&#?\w*)$/, '')
  line = line.replace(/!?\[([^\]]*)(?:\](?:\([^)]*)?)?$/, (all, text: string) => (all[0] === '!' ? '' : text))
  const openers: { run: string; start: number }[] = []
  let code = 0
  for (let i = 0; i < line.length; ) {
    const c = line[i]!
    if (c === '\\') {
      i += 2
      continue
    }
    let n = 1
    while (line[i + n] === c) n++
    if (c === '`') code = !code ? n : code === n ? 0 : code
    else if (!code && (c === '*' || c === '_' || (c === '~' && n === 2))) {
      const before = line[i - 1]
      const after = line[i + n]
      const left = !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before))
      const right = !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after))
      const canOpen = c === '_' ? left && (!right || isPunct(before)) : left
      const canClose = c === '_' ? right && (!left || isPunct(after)) : right
      const k = canClose ? openers.map((o) => o.run[0]).lastIndexOf(c) : -1
      if (k >= 0) openers.length = k
      else if (canOpen && (n > 1 || isSpace(before))) openers.push({ run: line.slice(i, i + n), start: i })
    }
    i += n
  }
  let tail = code ? '`'.repeat(code) : ''
  if (!code) line = line.trimEnd()
  for (let k = openers.length; k--; ) tail += openers[k]!.run
  return line + tail
}
