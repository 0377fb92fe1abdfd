// <Markdown text={message.text} done={...} />: streamed Markdown in React.
// React owns one empty <div>; llm-sse-client/markdown owns its children, so
// a finished block is built once and never re-rendered or diffed again,
// however often the parent renders.

import { createElement, useLayoutEffect, useRef } from 'react'
import type { ReactElement } from 'react'
import { createMarkdownRenderer } from '../markdown/index.js'
import type { MarkdownRenderOptions, MarkdownRenderer } from '../markdown/index.js'

/** Props of {@link Markdown}: the text, and the renderer's options (read once, at mount). @public */
export interface MarkdownProps extends MarkdownRenderOptions {
  /** The Markdown so far, e.g. a chat message's `text`. It grows; any other change starts over. */
  text: string
  /**
   * The text is complete: what is left is parsed as is (no completion of half-written syntax).
   * @default false
   */
  done?: boolean | undefined
  /** Class of the wrapping `<div>`. */
  className?: string | undefined
}

/**
 * Render streamed Markdown (see `llm-sse-client/markdown` for the options
 * and guarantees). Only what was appended since the last render is parsed,
 * and the DOM is written in the same commit (the chat store already
 * publishes at most once per frame), about 8 ms of work at most: a long
 * text that arrives at once (a stored answer) is written over the next
 * frames, so the page never freezes.
 *
 * @example
 * ```ts
 * createElement(Markdown, { text: message.text, done: message.status !== 'streaming' })
 * ```
 * @public
 */
export function Markdown(props: MarkdownProps): ReactElement {
  const el = useRef<HTMLDivElement>(null)
  const state = useRef<{ view: MarkdownRenderer; text: string; done: boolean } | undefined>(undefined)
  useLayoutEffect(() => {
    const s = (state.current ??= { view: createMarkdownRenderer(el.current!, { schedule: (f) => f(), ...props }), text: '', done: false })
    if (!props.text.startsWith(s.text) || (s.done && props.text !== s.text)) {
      s.view.reset()
      s.text = ''
      s.done = false
    }
    if (props.text !== s.text) s.view.append(props.text.slice(s.text.length))
    s.text = props.text
    if (props.done && !s.done) s.view.finish({ inFrames: true })
    s.done ||= !!props.done
  })
  return createElement('div', { ref: el, className: props.className })
}
