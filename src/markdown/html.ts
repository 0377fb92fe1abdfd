// Raw HTML in the Markdown, for callers who turn it on: markdown-it's HTML
// goes through the caller's DOMPurify into a fragment (never a string that
// is parsed again: that round trip is where mutation XSS lives), then
// through the same allow-list as the rest of this entry, rebuilt node by node.

import MarkdownIt from 'markdown-it'
import type { MarkdownIt as Parser, Token } from 'markdown-it'
import { safeUrl } from './dom.js'
import type { BuildPolicy } from './dom.js'
import type { MarkdownToken } from './types.js'

/**
 * The part of DOMPurify this entry uses: pass the DOMPurify default export
 * (`import DOMPurify from 'dompurify'`).
 * @public
 */
export interface HtmlSanitizer {
  sanitize(dirty: string, config: Record<string, unknown>): Node | string
}

const TAGS = new Set(
  'p h1 h2 h3 h4 h5 h6 blockquote ul ol li table thead tbody tfoot tr th td caption em strong s del ins b i u sub sup mark small kbd abbr code pre hr br div span details summary dl dt dd a img'.split(
    ' ',
  ),
)
const ATTRS = new Set(['title', 'alt', 'align', 'start', 'colspan', 'rowspan', 'open'])
type Allow = { tags: Set<string>; attrs: Set<string> }
const HTML: Allow = { tags: TAGS, attrs: ATTRS }
// What highlighters emit: text and `<span class>`.
const SPANS: Allow = { tags: new Set(['span']), attrs: new Set(['class']) }
const PURIFY = { RETURN_DOM_FRAGMENT: true, FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'], FORBID_ATTR: ['style'] }

let md: Parser | undefined

/** Nodes for one block through markdown-it's HTML, DOMPurify and our allow-list. @internal */
export function buildHtmlBlock(tokens: readonly MarkdownToken[], p: BuildPolicy, sanitizer: HtmlSanitizer): Node[] {
  md ??= new MarkdownIt({ html: true })
  const clean = sanitizer.sanitize(md.renderer.render(tokens as Token[], md.options, {}), PURIFY)
  if (typeof clean === 'string') throw new TypeError('The HTML sanitizer returned a string: pass DOMPurify itself (it is called with RETURN_DOM_FRAGMENT)')
  const out = p.doc.createDocumentFragment()
  copy(clean, out, p, HTML)
  return Array.from(out.childNodes)
}

/**
 * A highlighter's HTML string reduced to text and `<span class>`. Parsed in
 * an inert document (no script runs, nothing loads) and rebuilt node by
 * node; every other element is unwrapped, and the content of `script`,
 * `style` and the like is dropped.
 * @internal
 */
export function spansOnly(html: string, p: BuildPolicy): Node {
  const out = p.doc.createDocumentFragment()
  copy(new p.doc.defaultView!.DOMParser().parseFromString(html, 'text/html').body, out, p, SPANS)
  return out
}

function copy(from: Node, to: Node, p: BuildPolicy, allow: Allow): void {
  for (const n of Array.from(from.childNodes)) {
    if (n.nodeType === 3) {
      to.appendChild(p.doc.createTextNode(n.nodeValue ?? ''))
      continue
    }
    if (n.nodeType !== 1) continue
    const src = n as Element
    const tag = src.localName
    if (!allow.tags.has(tag)) {
      if (!/^(script|style|template|noscript|textarea|title|iframe|object|embed|svg|math)$/.test(tag)) copy(n, to, p, allow)
      continue
    }
    const href = src.getAttribute(tag === 'a' ? 'href' : 'src')
    let origin = ''
    try {
      origin = new URL(href ?? '').origin
    } catch {}
    // An image outside the allowed origins shows its alt text, as in Markdown.
    if (tag === 'img' && !(href && safeUrl(href) && p.images.includes(origin))) {
      to.appendChild(p.doc.createTextNode(src.getAttribute('alt') ?? ''))
      continue
    }
    const e = p.doc.createElement(tag === 'a' && !(href && safeUrl(href)) ? 'span' : tag)
    for (const a of Array.from(src.attributes)) if (allow.attrs.has(a.name)) e.setAttribute(a.name, a.value)
    if (e.localName === 'a') e.setAttribute('rel', 'noopener noreferrer')
    if (href && (e.localName === 'a' || tag === 'img')) e.setAttribute(tag === 'a' ? 'href' : 'src', href)
    copy(n, to.appendChild(e), p, allow)
  }
}
