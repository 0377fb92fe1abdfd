// Inline reasoning: DeepSeek-R1 through Ollama <= 0.8 (and Ollama's /v1 when
// thinking is off, or any backend that passes raw model text, like the seed)
// sends `<think>`, `\n`, reasoning..., `</think>`, `\n\n`, answer in the
// answer channel. The tags arrive split across events (`<th` + `ink>`), so
// only a suffix that could still become the tag is held back.

/** Answer and reasoning text released by one step of a {@link ThinkSplitter}. */
export interface ThinkSplit {
  text: string
  reasoning: string
}

/** Options of {@link createThinkSplitter}. */
export interface ThinkOptions {
  /** The text starts inside the block: reasoning until `</think>` (a leading `<think>` is accepted too). @default false */
  open?: boolean | undefined
}

/** Streaming `<think>…</think>` splitter, see {@link createThinkSplitter}. */
export interface ThinkSplitter {
  /** Feed the next piece of answer text; returns what can be released now. */
  push(text: string): ThinkSplit
  /** The stream ended: release everything held back. */
  flush(): ThinkSplit
}

const OPEN = '<think>'
const CLOSE = '</think>'
const LEADING_NL = /^[\r\n]+/
const TRAILING_NL = /[\r\n]+$/

/** Length of the longest suffix of `s` that is a proper prefix of `tag`. */
const partial = (s: string, tag: string): number => {
  for (let k = Math.min(s.length, tag.length - 1); k > 0; k--) if (tag.startsWith(s.slice(-k))) return k
  return 0
}

/**
 * Split inline `<think>…</think>` reasoning out of streamed answer text.
 *
 * - Only a `<think>` that opens the answer (after optional whitespace) is a
 *   tag, and only one block: a model that writes "use the <think> tag" in its
 *   answer must not have the rest of its answer swallowed as reasoning. For
 *   the same reason a `</think>` without an opening tag stays text.
 * - The newlines right after `<think>` and `</think>`, and right before
 *   `</think>`, are dropped: R1 writes `</think>\n\n` before the answer, and
 *   an answer that starts with blank lines renders as a gap. Spaces and
 *   indentation are kept.
 * - Held back: whitespace before a possible `<think>`, a suffix that may be
 *   the start of the tag looked for, and trailing newlines inside the block.
 * - With `open`, text without a leading `<think>` starts in the block (the
 *   chat template already opened it in the prompt).
 *
 * @example
 * ```ts
 * const s = createThinkSplitter()
 * s.push('<th') // { text: '', reasoning: '' }
 * s.push('ink>hmm</think>\n\nHi') // { text: 'Hi', reasoning: 'hmm' }
 * ```
 */
export function createThinkSplitter(options?: ThinkOptions): ThinkSplitter {
  const open = options?.open === true
  // 0: nothing but whitespace yet, 1: inside <think>, 2: answer.
  let mode = 0
  let held = ''
  let strip = false
  const step = (chunk: string, end: boolean): ThinkSplit => {
    // Past the think block nothing is held: the answer passes straight through.
    if (mode === 2 && !strip && !held) return { text: chunk, reasoning: '' }
    let s = held + chunk
    let reasoning = ''
    held = ''
    if (mode === 0) {
      const t = s.trimStart()
      if (t.startsWith(OPEN)) {
        mode = 1
        strip = true
        s = t.slice(OPEN.length)
      } else if (!end && OPEN.startsWith(t)) {
        held = s
        s = ''
      } else if (open) {
        mode = 1
        strip = true
        s = t
      } else mode = 2
    }
    // The newlines after a tag may come in a later event than the tag itself.
    if (strip) strip = !(s = s.replace(LEADING_NL, ''))
    if (mode === 1) {
      const i = s.indexOf(CLOSE)
      if (i >= 0) {
        reasoning = s.slice(0, i).replace(TRAILING_NL, '')
        s = s.slice(i + CLOSE.length).replace(LEADING_NL, '')
        strip = !s
        mode = 2
      } else {
        let cut = s.length - (end ? 0 : partial(s, CLOSE))
        if (!end) cut = s.slice(0, cut).replace(TRAILING_NL, '').length
        reasoning = s.slice(0, cut)
        held = s.slice(cut)
        s = ''
      }
    }
    return { text: s, reasoning }
  }
  return { push: (text) => step(text, false), flush: () => step('', true) }
}
