// What a streamed Markdown answer must end as: the same text rendered by the
// markdown entry in one go.

import { createRequire } from 'node:module'
import { createMarkdownRenderer } from '../../src/markdown/index.js'

/**
 * Render `text` at once into `el` (a fresh div of the test's `document` by
 * default; pass one from another DOM outside jsdom tests) and return its HTML.
 */
export function renderAtOnce(text: string, el: HTMLElement = document.createElement('div')): string {
  const view = createMarkdownRenderer(el, { schedule: () => {} })
  view.append(text)
  view.finish()
  return el.innerHTML
}

let scratch: Document | undefined

/** {@link renderAtOnce} outside a jsdom test (a Node or browser test comparing with a page): in a jsdom document of its own. */
export function renderDetached(text: string): string {
  // jsdom ships no types; only its constructor is used here.
  const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: Window } }
  scratch ??= new JSDOM('').window.document
  return renderAtOnce(text, scratch.createElement('div'))
}
