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
   */
  schedule?: ((flush: () => void) => void) | undefined
}

/** A Markdown view on one element. @public */
export interface MarkdownRenderer {
  /** Add answer text; the DOM catches up at the next frame. */
  append(text: string): void
  /** The answer is complete: parse what is left and write it now. */
  finish(): void
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
  const schedule =
    options.schedule ??
    (typeof g.requestAnimationFrame === 'function' ? (f: () => void) => void g.requestAnimationFrame!(f) : (f: () => void) => void setTimeout(f, 16))
  const stream = createMarkdownStream(options)
  const { sanitizer } = options
  const build = (b: Block, final: boolean) => (sanitizer && options.html ? buildHtmlBlock(b.tokens, policy, sanitizer) : buildBlock(b.tokens, policy, final))
  let shown: { id: number; nodes: Node[] }[] = []
  let tailNodes: Node[] = []
  let revision = 0
  let scheduled = false

  let flushing = false
  const queue = () => {
    if (!scheduled) {
      scheduled = true
      // A scheduler that runs at once (a framework's commit) gets everything in one go, not a recursion per block.
      schedule(() => scheduled && flush(flushing))
    }
  }

  const flush = (all = false) => {
    scheduled = false
    const start = now()
    const { committed, tail, revision: r } = stream.snapshot
    // A late reference definition replaced committed blocks: rebuild just those.
    if (r !== revision) {
      revision = r
      shown.forEach((s, i) => {
        const b = committed[i]!
        if (b.id === s.id) return
        const nodes = build(b, true)
        for (const n of nodes) s.nodes[0]!.parentNode?.insertBefore(n, s.nodes[0]!)
        for (const n of s.nodes) n.parentNode?.removeChild(n)
        shown[i] = { id: b.id, nodes }
      })
    }
    const from = shown.length
    const built: { id: number; nodes: Node[] }[] = []
    // The new nodes are written over the old tail's (morph.ts): the block being written, and the
    // blocks it became when they commit, keep their nodes, and a selection in them survives.
    const write = (next: Node[]) => {
      const kept = morph(element, tailNodes, [...built.flatMap((b) => b.nodes), ...next])
      for (const b of built) shown.push({ id: b.id, nodes: kept.splice(0, b.nodes.length) })
      tailNodes = kept
    }
    // A burst of text (a whole answer arriving at once) must not become one long task: build
    // committed blocks for about 8 ms, then let the browser paint and go on at the next frame.
    // The tail waits until the blocks before it are shown.
    for (let i = from; i < committed.length; i++) {
      if (!all && i > from && now() - start > 8) {
        write([])
        flushing = true
        queue()
        flushing = false
        return
      }
      const b = committed[i]!
      built.push({ id: b.id, nodes: build(b, true) })
    }
    const next = tail ? build(tail, false) : []
    for (const n of next) if (n.nodeType === 1) (n as Element).classList.add(`${prefix}tail`)
    write(next)
  }

  return {
    append(text) {
      stream.append(text)
      queue()
    },
    finish() {
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
      scheduled = false
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
