import type { LlmStream } from '../index.js'

/** Where {@link renderStream} writes. @public */
export interface RenderTargets {
  /** Receives the answer text. */
  text: Node
  /** Receives the reasoning text, if given; otherwise reasoning is not shown. */
  reasoning?: Node | undefined
}

/** Options of {@link renderStream}. @public */
export interface RenderOptions {
  /**
   * Schedules one flush. Defaults to `requestAnimationFrame` where it exists
   * (one DOM write per frame however fast tokens arrive), else a 16 ms timer.
   */
  schedule?: ((flush: () => void) => void) | undefined
}

/**
 * Append a stream's answer (and reasoning) to DOM nodes as text, never as
 * HTML: model output cannot inject markup (a hand-written page's `innerHTML +=` runs
 * `<img onerror>` from a prompt-injected answer). Tokens are batched into
 * one text node per animation frame, so a 10,000-token answer costs a few
 * hundred small DOM writes instead of 10,000 re-parses of a growing string.
 *
 * A target element whose style would collapse the answer's newlines
 * (`white-space: normal` or `nowrap`) is set to `white-space: pre-wrap`;
 * any other `white-space` the page chose is kept.
 *
 * @returns a function that stops rendering (pending text is written first).
 * @example
 * ```ts
 * const detach = renderStream(client.post('/stream/post', { json }), { text: answerEl, reasoning: thinkEl })
 * ```
 * @public
 */
export function renderStream(stream: Pick<LlmStream, 'on'>, targets: RenderTargets, options: RenderOptions = {}): () => void {
  const g = globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }
  const schedule =
    options.schedule ??
    (typeof g.requestAnimationFrame === 'function' ? (f: () => void) => void g.requestAnimationFrame!(f) : (f: () => void) => void setTimeout(f, 16))
  for (const target of [targets.text, targets.reasoning]) if (target) keepNewlines(target)
  let text = ''
  let reasoning = ''
  let scheduled = false

  const flush = () => {
    scheduled = false
    // ownerDocument, not the global `document`: works for nodes of any document (iframes, jsdom).
    if (text) targets.text.appendChild(doc(targets.text).createTextNode(text))
    if (reasoning && targets.reasoning) targets.reasoning.appendChild(doc(targets.reasoning).createTextNode(reasoning))
    text = reasoning = ''
  }
  const queue = () => {
    if (!scheduled) {
      scheduled = true
      schedule(() => scheduled && flush())
    }
  }
  const offs = [
    stream.on('delta', (e) => {
      text += e.text
      queue()
    }),
    stream.on('reasoning', (e) => {
      reasoning += e.text
      queue()
    }),
    stream.on('done', flush),
  ]
  return () => {
    for (const off of offs) off()
    flush()
  }
}

/**
 * Model answers hold newlines, which text nodes show only when the element's
 * `white-space` keeps them. Where the page's style would collapse them
 * (`normal`, `nowrap`) the target gets `pre-wrap`; any other choice of the
 * page (`pre`, `pre-line`, ...) is left alone.
 */
function keepNewlines(node: Node): void {
  const el = node as Element & { style?: CSSStyleDeclaration }
  const view = doc(node).defaultView
  if (node.nodeType !== 1 || !el.style || !view) return
  const ws = view.getComputedStyle(el).whiteSpace
  if (!ws || ws === 'normal' || ws === 'nowrap') el.style.whiteSpace = 'pre-wrap'
}

function doc(node: Node): Document {
  return (node.ownerDocument ?? node) as Document
}
