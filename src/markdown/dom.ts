// Tokens to DOM nodes, safe by construction: elements come from a fixed
// list, attributes are set one by one after a check, text is always a Text
// node. Model output never reaches innerHTML.

import { spansOnly } from './html.js'
import type { MarkdownToken } from './types.js'

/** What {@link buildBlock} needs from the renderer's options. @internal */
export interface BuildPolicy {
  doc: Document
  /** Origins (`https://cdn.example`) whose images may load; none by default. */
  images: readonly string[]
  /** Code highlighter (committed blocks only). */
  highlight: ((code: string, lang: string) => string | Node | null | undefined) | undefined
  /** Add a copy button to code blocks. */
  copy: boolean
  /** Prefix of our class names. */
  prefix: string
}

// The tags markdown-it's core rules emit; anything else (a plugin's) becomes a span.
const TAGS = new Set('p h1 h2 h3 h4 h5 h6 blockquote ul ol li table thead tbody tr th td em strong s code pre hr br img'.split(' '))

/**
 * Whether a link or image URL may reach the DOM: `http:`, `https:`,
 * `mailto:`, or relative. Checked with the WHATWG URL parser, the one the
 * browser uses, so control characters, tabs, entities (already decoded by
 * the parser) and mixed case cannot hide a scheme.
 * @internal
 */
export function safeUrl(url: string): boolean {
  try {
    return /^(https?|mailto):$/.test(new URL(url).protocol)
  } catch {
    // Not absolute: a relative URL takes the page's own scheme.
    return true
  }
}

const attr = (t: MarkdownToken, name: string) => {
  const v = t.attrs?.find((a) => a[0] === name)?.[1]
  return v === undefined ? undefined : String(v)
}

/** Nodes for one block's tokens. @internal */
export function buildBlock(tokens: readonly MarkdownToken[], p: BuildPolicy, final: boolean): Node[] {
  const { doc } = p
  const root = doc.createDocumentFragment()
  const stack: Node[] = [root]
  const el = (tag: string) => doc.createElement(TAGS.has(tag) ? tag : 'span')
  const text = (s: string) => doc.createTextNode(s)

  const walk = (list: readonly MarkdownToken[]) => {
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!
      const top = stack[stack.length - 1]!
      if (t.nesting === -1) {
        stack.pop()
        continue
      }
      let node: Node
      switch (t.type) {
        case 'inline':
          walk(t.children ?? [])
          continue
        case 'text':
          if (t === boxText) top.appendChild(box!)
          top.appendChild(text(t === boxText ? t.content.slice(3) : t.content))
          continue
        case 'softbreak':
          top.appendChild(text('\n'))
          continue
        case 'hardbreak':
        case 'hr':
          node = el(t.tag)
          break
        case 'code_inline':
          node = el('code')
          node.appendChild(text(t.content))
          break
        case 'fence':
        case 'code_block':
          node = code(t.content, (t.info.trim().split(/\s/)[0] ?? '').replace(/[^\w#+.-]/g, ''), p, final)
          break
        case 'image': {
          const src = attr(t, 'src') ?? ''
          const alt = (t.children ?? []).map((c) => c.content).join('')
          let origin = ''
          try {
            origin = new URL(src).origin
          } catch {}
          if (!p.images.includes(origin) || !safeUrl(src)) {
            top.appendChild(text(alt))
            continue
          }
          const img = el('img')
          img.setAttribute('src', src)
          img.setAttribute('alt', alt)
          img.setAttribute('referrerpolicy', 'no-referrer')
          img.setAttribute('loading', 'lazy')
          const title = attr(t, 'title')
          if (title) img.setAttribute('title', title)
          node = img
          break
        }
        default: {
          if (t.hidden) {
            // A tight list's paragraph: its content goes straight into the <li>.
            stack.push(top)
            continue
          }
          const e = t.type === 'link_open' ? link(t) : el(t.tag)
          const align = /text-align:(left|center|right)/.exec(attr(t, 'style') ?? '')?.[1]
          if (align) e.setAttribute('align', align)
          const start = attr(t, 'start')
          if (start && /^\d{1,9}$/.test(start)) e.setAttribute('start', start)
          if (t.type === 'list_item_open') task(list, i, e)
          top.appendChild(e)
          if (t.nesting === 1) stack.push(e)
          continue
        }
      }
      top.appendChild(node)
    }
  }

  const link = (t: MarkdownToken) => {
    const href = attr(t, 'href') ?? ''
    if (!safeUrl(href)) return el('span')
    const a = doc.createElement('a')
    a.setAttribute('href', href)
    a.setAttribute('rel', 'noopener noreferrer')
    const title = attr(t, 'title')
    if (title) a.setAttribute('title', title)
    return a
  }

  // GFM task list item, `- [ ] todo` / `- [x] done` (a GitHub extension markdown-it leaves as text):
  // a checkbox takes the place of the marker in the item's first text.
  const task = (list: readonly MarkdownToken[], i: number, li: Element) => {
    const first = list[i + 2]?.type === 'inline' ? list[i + 2]!.children?.[0] : undefined
    const m = first?.type === 'text' ? /^\[([ xX])\][ \t]/.exec(first.content) : null
    if (!m || !first) return
    box = doc.createElement('input')
    box.setAttribute('type', 'checkbox')
    box.setAttribute('disabled', '')
    if (m[1] !== ' ') box.setAttribute('checked', '')
    boxText = first
    li.className = `${p.prefix}task`
  }
  let box: Element | undefined
  let boxText: MarkdownToken | undefined

  walk(tokens)
  return Array.from(root.childNodes)
}

/** A code block: `<div><pre><code class="language-x">` plus an optional copy button. */
function code(source: string, lang: string, p: BuildPolicy, final: boolean): Node {
  const { doc } = p
  const wrap = doc.createElement('div')
  wrap.className = `${p.prefix}code`
  const pre = wrap.appendChild(doc.createElement('pre'))
  const c = pre.appendChild(doc.createElement('code'))
  if (lang) c.className = `language-${lang}`
  // Highlight once the block is final: a highlighter per frame on a growing block is wasted work and flickers.
  const lit = final && lang && p.highlight ? p.highlight(source, lang) : undefined
  if (typeof lit === 'string') c.appendChild(spansOnly(lit, p))
  else c.appendChild(lit ?? doc.createTextNode(source))
  if (p.copy) {
    const b = wrap.appendChild(doc.createElement('button'))
    b.type = 'button'
    b.className = `${p.prefix}copy`
    b.textContent = 'Copy'
    b.setAttribute('aria-label', 'Copy code')
    b.addEventListener('click', () => {
      // The code as shown now: a growing block's button is kept while its code grows.
      void doc.defaultView?.navigator.clipboard?.writeText(c.textContent ?? source).then(() => (b.textContent = 'Copied'))
    })
  }
  return wrap
}
