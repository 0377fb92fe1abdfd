import type { LlmStream } from '../index.js'
import { buildBlock } from './dom.js'
import type { BuildPolicy } from './dom.js'
import { buildHtmlBlock } from './html.js'
import { morph } from './morph.js'
import type { HtmlSanitizer } from './html.js'
import { createMarkdownStream } from './stream.js'
import type { Block, MarkdownStream, MarkdownStreamOptions } from './types.js'

const now = () => globalThis.performance?.now() ?? Date.now()

/** Options of {@link createMarkdownRenderer} and {@link renderMarkdown}. @public */
export interface MarkdownRenderOptions extends MarkdownStreamOptions {
  /**
   * Required with `html: true`: raw HTML goes through it (DOMPurify, an
   * optional peer dependency) and then through this entry's own allow-list.
   * Without `html`, raw HTML is shown as text and no sanitizer is needed.
   */
  sanitizer?: HtmlSanitizer | undefined
  /**
   * Origins images may load from (`['https://images.example.com']`). An
   * image elsewhere is shown as its alt text: an image URL fetches without
   * a click, so a prompt-injected answer could send data in it.
   * @default []
   */
  images?: readonly string[] | undefined
  /**
   * Syntax highlighting for fenced code with a language, run once per block
   * when it is complete. Return a Node, or an HTML string (reduced to text
   * and `<span class>`: class-based highlighters such as highlight.js keep
   * their colours), or nothing to keep plain text.
   */
  highlight?: ((code: string, lang: string) => string | Node | null | undefined) | undefined
  /**
   * Put a "Copy" `<button>` in each code block.
   * @default true
   */
  copyButton?: boolean | undefined
  /**
   * Prefix of the class names this entry sets: `md-code` (code block
   * wrapper), `md-copy` (its button), `md-task` (task list item), `md-tail`
   * (the still-growing block, for a caret).
   * @default 'md-'
   */
  classPrefix?: string | undefined
  /**
   * Schedules one DOM write. Defaults to `requestAnimationFrame` where it
   * exists (one write per frame however fast text arrives), else a 16 ms timer.
   * A write does about 8 ms of work; more text (a long answer at once) is
   * written at the next ones, asked for through this too, or through
   * `requestAnimationFrame` when this one runs at once.
   */
  schedule?: ((flush: () => void) => void) | undefined
}

/** A Markdown view on one element. @public */
export interface MarkdownRenderer {
  /** Add answer text; the DOM catches up at the next frame. */
  append(text: string): void
  /**
   * The answer is complete: parse what is left and write it now, in one
   * task. With `{ inFrames: true }`, text not written yet (a long answer
   * that arrived at once) is written over the next frames like the rest,
   * about 8 ms of work in each, so the page never freezes.
   */
  finish(options?: { inFrames?: boolean | undefined }): void
  /** Empty the element and start another answer. */
  reset(): void
  /** The underlying block stream. */
  readonly stream: MarkdownStream
}

/**
 * Render streamed Markdown into `element`. Committed blocks are built once
 * and never touched again; only the growing tail block is rebuilt, at most
 * once per frame. Safe by default: raw HTML shows as text, links are
 * `http(s):`, `mailto:` or relative with `rel="noopener noreferrer"`,
 * images are off, nothing ever goes through `innerHTML`, and no inline
 * script or style is created (works under `script-src 'self'` without
 * `unsafe-inline` styles).
 *
 * @example
 * ```ts
 * const view = createMarkdownRenderer(document.querySelector('#answer')!)
 * stream.on('delta', (e) => view.append(e.text))
 * stream.on('done', () => view.finish())
 * ```
 * @public
 */
export function createMarkdownRenderer(element: Element, options: MarkdownRenderOptions = {}): MarkdownRenderer {
  if (options.html && !options.sanitizer)
    throw new TypeError('createMarkdownRenderer: `html: true` needs a sanitizer: pass DOMPurify as `sanitizer` (npm install dompurify)')
  const doc = element.ownerDocument
  const prefix = options.classPrefix ?? 'md-'
  const policy: BuildPolicy = { doc, images: options.images ?? [], highlight: options.highlight, copy: options.copyButton ?? true, prefix }
  const g = globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }
  const frame = typeof g.requestAnimationFrame === 'function' ? (f: () => void) => void g.requestAnimationFrame!(f) : (f: () => void) => void setTimeout(f, 16)
  const schedule = options.schedule ?? frame
  const stream = createMarkdownStream(options)
  const { sanitizer } = options
  const build = (b: Block, final: boolean) => (sanitizer && options.html ? buildHtmlBlock(b.tokens, policy, sanitizer) : buildBlock(b.tokens, policy, final))
  let shown: { id: number; nodes: Node[] }[] = []
  let tailNodes: Node[] = []
  let revision = 0
  let scheduled = false
  // Text appended but not yet given to the stream (`pending` from `at`), and a finish() in frames to come.
  let pending = ''
  let at = 0
  let ending = false

  let busy = false
  const run = () => {
    if (!scheduled) return
    // A scheduler that runs at once (a framework's commit) is asked again from inside a write for the
    // rest of a burst: that goes on at the next frame.
    if (busy) return frame(run)
    busy = true
    try {
      flush()
    } finally {
      busy = false
    }
  }
  const queue = () => {
    if (!scheduled) {
      scheduled = true
      schedule(run)
    }
  }

  // A burst of text (a whole answer at once) must not become one long task: the text goes to the
  // stream a few lines at a time, each piece's committed blocks are built, and after about 8 ms
  // the rest waits for the next frame. The tail stays one block, so finish() has little left to parse.
  const flush = (all = false) => {
    scheduled = false
    const start = now()
    // Characters parsed and built in this write: the first 4 KiB always go in (a frame of even a very
    // fast model), so a write stops early only in a real burst, whatever the machine's load.
    let work = 0
    let snap = stream.snapshot
    // Once finished, only the last blocks are left: they go in now.
    const late = () => !all && !snap.finished && work > 4096 && now() - start > 8
    // A late reference definition replaced committed blocks: rebuild just those.
    if (snap.revision !== revision) {
      revision = snap.revision
      shown.forEach((s, i) => {
        const b = snap.committed[i]!
        if (b.id === s.id) return
        const nodes = build(b, true)
        for (const n of nodes) s.nodes[0]!.parentNode?.insertBefore(n, s.nodes[0]!)
        for (const n of s.nodes) n.parentNode?.removeChild(n)
        shown[i] = { id: b.id, nodes }
      })
    }
    const built: { id: number; nodes: Node[] }[] = []
    // The new nodes are written over the old tail's (morph.ts): the block being written, and the
    // blocks it became when they commit, keep their nodes, and a selection in them survives.
    const write = (next: Node[]) => {
      const kept = morph(element, tailNodes, [...built.flatMap((b) => b.nodes), ...next])
      for (const b of built) shown.push({ id: b.id, nodes: kept.splice(0, b.nodes.length) })
      tailNodes = kept
    }
    for (;;) {
      for (let i = shown.length + built.length; i < snap.committed.length; i++) {
        if (late()) {
          // The tail waits until the blocks before it are shown.
          write([])
          return queue()
        }
        const b = snap.committed[i]!
        built.push({ id: b.id, nodes: build(b, true) })
        work += b.source.length
      }
      if (at < pending.length && !late()) {
        // About 2 KiB, to a line end: the stream commits the blocks it closes and keeps a short tail.
        const nl = pending.indexOf('\n', at + 2048)
        const end = Math.min(pending.length, nl < 0 || nl > at + 16384 ? at + 4096 : nl + 1)
        stream.append(pending.slice(at, end))
        work += end - at
        at = end
        snap = stream.snapshot
      } else if (at < pending.length) break
      else if (ending && !snap.finished) {
        stream.finish()
        snap = stream.snapshot
      } else break
    }
    if (at >= pending.length) {
      pending = ''
      at = 0
    }
    const next = snap.tail ? build(snap.tail, false) : []
    for (const n of next) if (n.nodeType === 1) (n as Element).classList.add(`${prefix}tail`)
    write(next)
    if (pending || (ending && !snap.finished)) queue()
  }

  return {
    append(text) {
      if (ending) throw new TypeError('MarkdownRenderer: append() after finish(); call reset() to start another answer')
      if (at > 65536 && at * 2 > pending.length) {
        pending = pending.slice(at)
        at = 0
      }
      pending += text
      queue()
    },
    finish(opts) {
      ending = true
      if (opts?.inFrames) return queue()
      stream.append(pending.slice(at))
      pending = ''
      at = 0
      stream.finish()
      flush(true)
    },
    reset() {
      stream.reset()
      for (const s of shown) for (const n of s.nodes) n.parentNode?.removeChild(n)
      for (const n of tailNodes) n.parentNode?.removeChild(n)
      shown = []
      tailNodes = []
      revision = 0
      scheduled = ending = false
      pending = ''
      at = 0
    },
    stream,
  }
}

/** Options of {@link renderMarkdown}. @public */
export interface RenderMarkdownOptions extends MarkdownRenderOptions {
  /** Where the reasoning goes, rendered as Markdown too; not shown when absent. */
  reasoning?: Element | undefined
}

/**
 * Render an {@link LlmStream}'s answer as Markdown into `element` (and its
 * reasoning into `options.reasoning`), finishing when the stream ends,
 * whatever its status: what arrived stays shown.
 *
 * @returns a function that stops listening (what was received is rendered first).
 * @example
 * ```ts
 * renderMarkdown(client.post('/stream/post', { json: { prompt } }), answerEl, { reasoning: thinkEl })
 * ```
 * @public
 */
export function renderMarkdown(stream: Pick<LlmStream, 'on'>, element: Element, options: RenderMarkdownOptions = {}): () => void {
  const answer = createMarkdownRenderer(element, options)
  const think = options.reasoning ? createMarkdownRenderer(options.reasoning, options) : undefined
  const finish = () => {
    answer.finish()
    think?.finish()
  }
  const offs = [stream.on('delta', (e) => answer.append(e.text)), stream.on('reasoning', (e) => think?.append(e.text)), stream.on('done', finish)]
  return () => {
    for (const off of offs) off()
    finish()
  }
}
