// What a streamed Markdown answer must end as: the same text rendered by the
// markdown entry in one go.

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
