import createDOMPurify from 'dompurify'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createClient } from '../../src/index.js'
import { createMarkdownRenderer, renderMarkdown } from '../../src/markdown/index.js'
import type { MarkdownRenderOptions } from '../../src/markdown/index.js'
import { expectedReasoning, expectedText } from '../../src/mock/script.js'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { answer, cases, specExamples, splitText, tokens } from './corpus.js'

/** A renderer whose frames run when the test says so. */
function manual(options: MarkdownRenderOptions = {}) {
  const el = document.createElement('div')
  const frames: (() => void)[] = []
  const view = createMarkdownRenderer(el, { ...options, schedule: (f) => frames.push(f) })
  const frame = () => frames.splice(0).forEach((f) => f())
  return { el, view, frame }
}

function atOnce(text: string, options: MarkdownRenderOptions = {}) {
  const { el, view } = manual(options)
  view.append(text)
  view.finish()
  return el
}

function streamed(pieces: readonly string[], options: MarkdownRenderOptions = {}) {
  const { el, view, frame } = manual(options)
  for (const p of pieces) {
    view.append(p)
    frame()
  }
  view.finish()
  return el
}

test(`CommonMark spec, GFM and edge cases: the DOM after streaming (3 random splits, and char by char) equals the DOM rendered at once`, () => {
  const docs = [...specExamples.map((e) => e.markdown), ...cases.gfm, ...cases.tricky]
  for (const text of docs) {
    const want = atOnce(text).innerHTML
    const splits = [1, 2, 3].map((seed) => splitText(text, seed))
    if (text.length <= 100) splits.push([...text])
    for (const pieces of splits) expect(streamed(pieces).innerHTML, JSON.stringify(text)).toBe(want)
  }
}, 120_000)

test('committed nodes are inserted once and never removed or re-created (MutationObserver over a long answer)', async () => {
  const { el, view, frame } = manual()
  const committed = new Set<Node>()
  const removed: Node[] = []
  const observer = new MutationObserver((records) => records.forEach((r) => removed.push(...Array.from(r.removedNodes))))
  observer.observe(el, { childList: true, subtree: true })
  for (const piece of tokens(answer(10_000))) {
    view.append(piece)
    frame()
    for (const n of Array.from(el.childNodes)) if (!(n as Element).classList?.contains('md-tail')) committed.add(n)
  }
  view.finish()
  await Promise.resolve()
  observer.disconnect()
  removed.push(...observer.takeRecords().flatMap((r) => Array.from(r.removedNodes)))
  expect(committed.size).toBeGreaterThan(50)
  expect(removed.filter((n) => committed.has(n))).toEqual([])
  for (const n of committed) expect(n.parentNode).toBe(el)
  // The growing block's nodes are updated in place, and kept when it commits: nothing of the answer is ever removed.
  expect(removed.filter((n) => n.parentNode === null && (n as Element).classList && !(n as Element).classList.contains('md-tail'))).toEqual([])
}, 60_000)

test('the growing block keeps its nodes: a text that grows is appended to, so a selection in it survives', () => {
  const { el, view, frame } = manual()
  view.append('# Title\n\nA paragraph that keeps')
  frame()
  const p = el.querySelector('p.md-tail')!
  const text = p.firstChild as Text
  const range = document.createRange()
  range.setStart(text, 2)
  range.setEnd(text, 11)
  expect(range.toString()).toBe('paragraph')
  for (const piece of tokens(' growing, with **bold**, `code` and more words.\n\n- then a list')) {
    view.append(piece)
    frame()
  }
  // The paragraph committed: the same element, the same first text node, the range untouched.
  expect(el.querySelector('p')).toBe(p)
  expect(p.classList.contains('md-tail')).toBe(false)
  expect(p.firstChild).toBe(text)
  expect(range.toString()).toBe('paragraph')
  expect(p.textContent).toBe('A paragraph that keeps growing, with bold, code and more words.')
})

test('one DOM write per frame however many tokens arrive in it', () => {
  const { el, view, frame } = manual()
  let mutations = 0
  const observer = new MutationObserver((r) => (mutations += r.length))
  observer.observe(el, { childList: true })
  for (const piece of tokens('# Title\n\nSome **bold** text and a list:\n\n- a\n- b\n')) view.append(piece)
  expect(el.childNodes.length).toBe(0)
  frame()
  mutations += observer.takeRecords().length
  observer.disconnect()
  expect(mutations).toBe(1)
  expect(el.querySelector('h1')?.textContent).toBe('Title')
})

describe('safe by default', () => {
  test('raw HTML is text, nothing from it becomes an element', () => {
    const el = atOnce('<img src=x onerror=alert(1)> <script>alert(1)</script>\n\n<div onclick="x()">block</div>\n')
    expect(el.querySelector('img, script, div[onclick]')).toBeNull()
    expect(el.textContent).toContain('<img src=x onerror=alert(1)>')
    expect(el.textContent).toContain('<div onclick="x()">block</div>')
  })

  test.each([
    ['[a](javascript:alert(1))'],
    ['[a](JaVaScRiPt:alert(1))'],
    ['[a](java&#115;cript:alert(1))'],
    ['[a](&#106;avascript:alert(1))'],
    ['[a](vbscript:x)'],
    ['[a](data:text/html;base64,PHNjcmlwdD4=)'],
    ['[a](file:///etc/passwd)'],
    ['<javascript:alert(1)>'],
    ['[a][r]\n\n[r]: javascript:alert(1)'],
    ['[a](%01javascript:alert(1))'],
  ])('%s is not a live link', (text) => {
    const el = atOnce(text)
    for (const a of Array.from(el.querySelectorAll('a'))) expect(new URL(a.getAttribute('href')!, 'https://page.example/').protocol).toMatch(/^https?:$/)
  })

  test('links keep http(s), mailto and relative targets, with rel="noopener noreferrer"', () => {
    const el = atOnce('[a](https://a.example) [b](mailto:b@b.example) [c](/docs) <https://d.example> https://e.example/x')
    const links = Array.from(el.querySelectorAll('a'))
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://a.example', 'mailto:b@b.example', '/docs', 'https://d.example', 'https://e.example/x'])
    for (const a of links) expect(a.getAttribute('rel')).toBe('noopener noreferrer')
  })

  test('images are off by default (alt text shown) and load only from allowed origins', () => {
    const text = '![cat](https://img.example/cat.png) ![dog](https://evil.example/?secret=1) ![x](data:image/png;base64,AAAA)'
    expect(atOnce(text).querySelector('img')).toBeNull()
    expect(atOnce(text).textContent).toBe('cat dog x')
    const imgs = atOnce(text, { images: ['https://img.example'] }).querySelectorAll('img')
    expect(Array.from(imgs, (i) => i.getAttribute('src'))).toEqual(['https://img.example/cat.png'])
    expect(imgs[0]!.getAttribute('referrerpolicy')).toBe('no-referrer')
  })

  test('no element carries an on* or style attribute, whatever the input', () => {
    const el = atOnce(['| a | b |\n|:-:|--:|\n| 1 | 2 |', '- [x] done', '```js\ncode\n```', '**b** _i_ ~~s~~ `c`'].join('\n\n'))
    for (const e of Array.from(el.querySelectorAll('*'))) for (const a of Array.from(e.attributes)) expect(a.name).not.toMatch(/^(on|style$)/)
    expect(el.querySelector('th')!.getAttribute('align')).toBe('center')
  })

  test('raw HTML needs a sanitizer; with DOMPurify it is cleaned, then our allow-list applies', () => {
    expect(() => createMarkdownRenderer(document.createElement('div'), { html: true })).toThrow(/DOMPurify/)
    const sanitizer = createDOMPurify(window)
    const el = atOnce(
      '<b onclick="x()">bold</b> <img src=x onerror=alert(1) alt=pic> <a href="javascript:alert(1)">js</a> <a href="https://ok.example">ok</a>\n\n<iframe srcdoc="<script>alert(1)</script>"></iframe>\n\n<svg onload=alert(1)><circle/></svg>\n\n<p style="color:red">styled</p>\n',
      { html: true, sanitizer },
    )
    expect(el.querySelector('b')!.textContent).toBe('bold')
    expect(el.querySelector('img, iframe, svg, [onclick], [style]')).toBeNull()
    expect(Array.from(el.querySelectorAll('a'), (a) => a.getAttribute('href'))).toEqual(['https://ok.example'])
    expect(el.querySelector('a')!.getAttribute('rel')).toBe('noopener noreferrer')
    expect(el.textContent).toContain('pic')
  })
})

describe('code blocks', () => {
  test('the language is a class, one accessible copy button copies the code', async () => {
    const writeText = vi.fn(async () => {})
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const el = atOnce('```python\nprint("hi")\n```\n')
    expect(el.querySelector('pre > code')!.className).toBe('language-python')
    const buttons = el.querySelectorAll('button')
    expect(buttons.length).toBe(1)
    expect(buttons[0]!.type).toBe('button')
    expect(buttons[0]!.getAttribute('aria-label')).toBe('Copy code')
    buttons[0]!.click()
    expect(writeText).toHaveBeenCalledWith('print("hi")\n')
    await vi.waitFor(() => expect(buttons[0]!.textContent).toBe('Copied'))
    expect(atOnce('```\nx\n```', { copyButton: false }).querySelector('button')).toBeNull()
  })

  test('highlight runs once per finished block, never on the growing tail, and its HTML string is reduced to spans', () => {
    const highlight = vi.fn(
      (code: string) => `<span class="hljs-keyword">${code.trim()}</span><img src=x onerror=alert(1)><script>alert(1)</script><b style="x">b</b>`,
    )
    const { el, view, frame } = manual({ highlight })
    for (const piece of tokens('```js\nconst a = 1\nconst b = 2\n```\n\nafter\n')) {
      view.append(piece)
      frame()
    }
    view.finish()
    expect(highlight).toHaveBeenCalledTimes(1)
    const code = el.querySelector('code')!
    expect(code.innerHTML).toBe('<span class="hljs-keyword">const a = 1\nconst b = 2</span>b')
    const node = atOnce('```js\nx\n```', { highlight: () => document.createTextNode('from a node') })
    expect(node.querySelector('code')!.textContent).toBe('from a node')
  })
})

test('task lists: a disabled checkbox per item', () => {
  const el = atOnce('- [ ] todo\n- [x] done\n')
  const boxes = el.querySelectorAll('li.md-task > input[type=checkbox][disabled]')
  expect(Array.from(boxes, (b) => (b as HTMLInputElement).checked)).toEqual([false, true])
  expect(el.querySelector('li')!.textContent).toBe(' todo')
})

test('reset() empties the element for another answer', () => {
  const { el, view } = manual()
  view.append('# one\n\ntwo')
  view.finish()
  view.reset()
  expect(el.childNodes.length).toBe(0)
  view.append('three')
  view.finish()
  expect(el.innerHTML).toBe('<p>three</p>')
})

describe('renderMarkdown on a real stream', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await startMockServer()
  })
  afterAll(() => mock.close())

  test('answer and reasoning render as Markdown into their elements, finished when the stream ends', async () => {
    const prompt = 'markdown please'
    const client = createClient({ baseUrl: mock.url })
    const stream = client.post('/stream/post?think=1', { json: { prompt } })
    const answerEl = document.createElement('div')
    const thinkEl = document.createElement('div')
    renderMarkdown(stream, answerEl, { reasoning: thinkEl })
    expect((await stream.result).status).toBe('completed')
    expect(answerEl.innerHTML).toBe(atOnce(expectedText(prompt, { think: true })).innerHTML)
    expect(thinkEl.innerHTML).toBe(atOnce(expectedReasoning(prompt, { think: true })).innerHTML)
    expect(answerEl.querySelector('.md-tail')).toBeNull()
  })
})

test('a burst (a whole long answer at once) is written over several frames, not in one long task, and ends complete', () => {
  const text = answer(200_000)
  const { el, view, frame } = manual()
  view.append(text)
  // Each frame builds committed blocks for about 8 ms and asks for the next; the tail shows once caught up.
  let frames = 0
  for (let before = -1; (el.childNodes.length !== before || !el.querySelector('.md-tail')) && frames < 10_000; frames++) {
    before = el.childNodes.length
    frame()
  }
  expect(frames).toBeGreaterThan(2)
  view.finish()
  expect(el.innerHTML).toBe(atOnce(text).innerHTML)
}, 60_000)

test('a page too slow for any frame budget (each clock read 5 ms later) still ends exactly as the text rendered at once', () => {
  const docs = [...specExamples.filter((_, i) => i % 8 === 0).map((e) => e.markdown), ...cases.gfm, ...cases.tricky, answer(20_000)]
  const want = docs.map((text) => atOnce(text).innerHTML)
  let t = 0
  const clock = vi.spyOn(performance, 'now').mockImplementation(() => (t += 5))
  try {
    docs.forEach((text, k) => {
      // Frames that run after every piece, and frames that never run before finish().
      for (const run of [true, false]) {
        const { el, view, frame } = manual()
        for (const piece of splitText(text, k)) {
          view.append(piece)
          if (run) frame()
        }
        view.finish()
        expect(el.innerHTML, JSON.stringify(text)).toBe(want[k])
      }
    })
  } finally {
    clock.mockRestore()
  }
}, 120_000)

test('finish({ inFrames: true }) on a long text that arrived at once: written over several frames, then exactly as rendered at once', () => {
  const text = answer(100_000)
  const want = atOnce(text).innerHTML
  const { el, view, frame } = manual()
  view.append(text)
  view.finish({ inFrames: true })
  let frames = 0
  // The stream is finished once all the text went in; that frame writes the last blocks.
  for (; frames < 10_000 && !view.stream.snapshot.finished; frames++) frame()
  expect(frames).toBeGreaterThan(2)
  expect(el.innerHTML).toBe(want)
  expect(() => view.append('more')).toThrow(/reset\(\)/)
}, 60_000)
