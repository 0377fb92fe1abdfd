// Inline reasoning: DeepSeek-R1 through Ollama <= 0.8 (and Ollama's /v1 when
// thinking is off, or any backend that passes raw model text, like a Flask view forwarding content dicts)
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

const isNewline = (c: number) => c === 10 || c === 13
/** `s` without its leading CR/LF run. A loop, not a regex: see nlTail. */
const trimNewlines = (s: string): string => {
  let a = 0
  while (isNewline(s.charCodeAt(a))) a++
  return a ? s.slice(a) : s
}
/** Where the run of CR/LF ending `s` before `end` starts. (`/[\r\n]+$/` is
 *  O(n²) on many newlines followed by text: it retries from every one.) */
const nlTail = (s: string, end: number): number => {
  while (end > 0 && isNewline(s.charCodeAt(end - 1))) end--
  return end
}

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
  // What is held back is kept in parts, so that each push costs the length
  // of its own text: re-joining and rescanning all that is held on every
  // push would be O(n²) for a model that streams thousands of whitespace tokens.
  // `lead`: whitespace before a possible <think> (mode 0); `pend`: a suffix
  // that may start the tag looked for (at most 7 characters); `nl`: trailing
  // newlines of the reasoning (mode 1), dropped if </think> follows.
  let lead = ''
  let pend = ''
  let nl = ''
  let strip = false
  const step = (chunk: string, end: boolean): ThinkSplit => {
    // Past the think block nothing is held: the answer passes straight through.
    if (mode === 2 && !strip) return { text: chunk, reasoning: '' }
    let s = chunk
    let reasoning = ''
    if (mode === 0) {
      let t: string
      if (pend) t = pend + s
      else {
        t = s.trimStart()
        lead += s.slice(0, s.length - t.length)
      }
      pend = ''
      if (t.startsWith(OPEN)) {
        mode = 1
        strip = true
        s = t.slice(OPEN.length)
      } else if (!end && OPEN.startsWith(t)) {
        pend = t
        return { text: '', reasoning: '' }
      } else if (open) {
        mode = 1
        strip = true
        s = t
      } else {
        mode = 2
        s = lead + t
      }
      lead = ''
    }
    // The newlines after a tag may come in a later event than the tag itself.
    if (strip) strip = !(s = trimNewlines(s))
    if (mode === 1) {
      const t = pend + s
      pend = ''
      s = ''
      const i = t.indexOf(CLOSE)
      if (i >= 0) {
        const b = nlTail(t, i)
        reasoning = b ? nl + t.slice(0, b) : ''
        nl = ''
        s = trimNewlines(t.slice(i + CLOSE.length))
        strip = !s
        mode = 2
      } else if (end) {
        reasoning = nl + t
        nl = ''
      } else {
        const cut = t.length - partial(t, CLOSE)
        const b = nlTail(t, cut)
        if (b) {
          reasoning = nl + t.slice(0, b)
          nl = t.slice(b, cut)
        } else nl += t.slice(0, cut)
        pend = t.slice(cut)
      }
    }
    return { text: s, reasoning }
  }
  return { push: (text) => step(text, false), flush: () => step('', true) }
}
