// Half-written Markdown at the end of a stream, shown as it will most likely
// end, in two steps that only ever touch the last, unfinished line: before
// the block parse a last line that may still change the blocks above it is
// held back; before the inline parse, what the last line of the last text
// left open is closed.

// A last line made only of markers so far may still become a setext
// underline, a thematic break, a table delimiter, a list item, a quote, a
// heading or a fence: shown now, it would flash as text and then jump.
const MARKERS_ONLY = /^ {0,3}(?:[-=*_+:|#>~`\s]|\d+[.)]?)*$/
/** A table row (or a reference definition) waits for its line end. @internal */
export const WAITS_FOR_EOL = /^ {0,3}(?:\||\[[^\]]*\]:)/
const FENCE = /^(?:[\s>]|[-*+]\s|\d{1,9}[.)]\s)*(`{3,}|~{3,})(.*)$/

/**
 * The tail without a last line that is still ambiguous.
 * @param text the raw tail, starting at a line start
 * @param inFence a fenced code block is open before its last line
 * @internal
 */
export function holdBack(text: string, inFence: boolean): string {
  const cut = text.lastIndexOf('\n') + 1
  const line = text.slice(cut)
  const head = text.slice(0, cut)
  if (inFence) return /^\s*(`+|~+)\s*$/.test(line) ? head : text
  // A fence's opening line waits for its end: its language would flicker as it is typed.
  if (/^ {0,3}(`{3,}|~{3,})/.test(line)) return head
  if (!MARKERS_ONLY.test(line) && !WAITS_FOR_EOL.test(line)) return text
  // A `| a | b |` line right after a non-table line may be a table header
  // whose delimiter row is being typed: it waits too, rather than show as a paragraph first.
  const prev = head.slice(head.lastIndexOf('\n', head.length - 2) + 1)
  const before = head.slice(0, head.length - prev.length)
  return /^ {0,3}\|/.test(prev) && !/(^|\n) {0,3}\|[^\n]*\n$/.test(before) ? before : head
}

/**
 * The open fence after the complete lines of `lines`, continuing from
 * `open` (a loose scan: fences in lists and quotes count).
 * @internal
 */
export function fenceAfter(open: string, lines: string): string {
  for (const l of lines.split('\n')) {
    const m = FENCE.exec(l)
    if (!m) continue
    const run = m[1]!
    if (!open) {
      if (!(run[0] === '`' && m[2]!.includes('`'))) open = run
    } else if (run[0] === open[0] && run.length >= open.length && !m[2]!.trim()) open = ''
  }
  return open
}

const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c)
const isPunct = (c: string | undefined) => c !== undefined && /[\p{P}\p{S}]/u.test(c)

/**
 * The emphasis runs of `line[from, to)` still open (CommonMark's flanking
 * rules decide what may open: `2 * 3`, `snake_case` and `f(*args` do not),
 * and the length of an open code span's backtick run.
 * @param strict count every run that may open (not just `**` or a word start)
 * @internal
 */
export function openRuns(line: string, from: number, to: number, strict = false): { runs: string[]; code: number } {
  const runs: string[] = []
  let code = 0
  for (let i = from; i < to; ) {
    const c = line[i]!
    if (c === '\\' && !code) {
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
      const k = canClose ? runs.map((r) => r[0]).lastIndexOf(c) : -1
      if (k >= 0) runs.length = k
      else if (canOpen && (strict || n > 1 || isSpace(before))) runs.push(line.slice(i, i + n))
    }
    i += n
  }
  return { runs, code }
}

/**
 * Close what the last line left open. Trailing characters that may start a
 * construct (`*`, `_`, `` ` ``, `\`, `<`, `[`, `!`, `&amp`) are held back,
 * so they never flash; `[text](htt` shows as `text` until its `)`; open
 * code spans, `**`, `~~` and word-initial `*`/`_` are closed.
 * @param from where the scan starts: nothing before it is open (see seams in inline.ts), so the result is the same as from 0
 * @internal
 */
export function closeInline(input: string, from = 0): string {
  let head = input.slice(0, from)
  let line = input.slice(from)
  // Inside an open code span every character is code: nothing waits.
  if (!openRuns(line, 0, line.length).code || line.endsWith('`')) {
    line = line.replace(/(?:[*_~`\\!<]+|&#?\w*)$/, '')
    line = line.replace(/!?\[([^\]]*)(?:\](?:\([^)]*)?)?$/, (all, text: string) => (all[0] === '!' ? '' : text))
  }
  const { runs, code } = openRuns(line, 0, line.length)
  let tail = code ? '`'.repeat(code) : ''
  if (!code) {
    line = line.trimEnd()
    if (!line) head = head.trimEnd()
  }
  for (let k = runs.length; k--; ) tail += runs[k]
  return head + line + tail
}
