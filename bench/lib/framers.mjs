// SSE framing contenders: bytes in, (type, data) per dispatched event out.
// Each is used the way its documentation (or, for fetch-event-source, its
// own fetch loop) uses it, fed the same Uint8Array chunks.
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createParser } from 'eventsource-parser'
import { events as fesEvents } from 'fetch-event-stream'
import { loadTarget, root } from './build.mjs'

// Not exported by the package: its fetchEventSource() wires exactly these two together.
const fesParse = await import(pathToFileURL(join(root, 'node_modules/@microsoft/fetch-event-source/lib/esm/parse.js')).href)

/** Keeps the decoder baseline's work observable (so it cannot be optimised away). */
export let decoded = 0

/** A ReadableStream of the given chunks, then a Response around it (what fetch() would give). */
function responseOf(chunks) {
  let i = 0
  const body = new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++])
      else controller.close()
    },
  })
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
}

/** @returns {Promise<{name: string, label: string, baseline?: boolean, async?: boolean, run: (chunks: Uint8Array[], onEvent: (type: string, data: string) => void) => unknown}[]>} */
export async function framers() {
  const { createSseParser } = await loadTarget('parse')
  return [
    {
      name: 'sdk',
      label: 'SDK `createSseParser`',
      run(chunks, onEvent) {
        const p = createSseParser({ onEvent: (e) => onEvent(e.type, e.data), maxEventBytes: Infinity })
        for (const c of chunks) p.feed(c)
        p.end()
      },
    },
    {
      name: 'esp',
      label: 'eventsource-parser + `TextDecoder` (reference)',
      run(chunks, onEvent) {
        const d = new TextDecoder()
        const p = createParser({ onEvent: (e) => onEvent(e.event ?? 'message', e.data) })
        for (const c of chunks) p.feed(d.decode(c, { stream: true }))
        const tail = d.decode()
        if (tail) p.feed(tail)
      },
    },
    {
      name: 'fes',
      label: '@microsoft/fetch-event-source `getLines`/`getMessages`',
      run(chunks, onEvent) {
        const onChunk = fesParse.getLines(
          fesParse.getMessages(
            () => {},
            () => {},
            (m) => onEvent(m.event || 'message', m.data),
          ),
        )
        for (const c of chunks) onChunk(c)
      },
    },
    {
      name: 'fstream',
      label: 'fetch-event-stream `events()`',
      async: true,
      async run(chunks, onEvent) {
        for await (const e of fesEvents(responseOf(chunks))) onEvent(e.event ?? 'message', e.data ?? '')
      },
    },
    {
      name: 'decoder',
      label: 'baseline: `TextDecoder` alone (no events)',
      baseline: true,
      noEvents: true,
      run(chunks) {
        const d = new TextDecoder()
        let n = 0
        for (const c of chunks) n += d.decode(c, { stream: true }).length
        n += d.decode().length
        decoded += n
      },
    },
    {
      name: 'indexof',
      label: 'baseline: `TextDecoder` + `indexOf` split',
      baseline: true,
      run: indexOfSplit,
    },
  ]
}

/**
 * The hand-written loop most pages start from, kept lean: streaming decode,
 * find the blank line with indexOf, walk its lines with indexOf, keep
 * `data:` and `event:`. It assumes one line-end style per stream (taken
 * from the first line end) and ignores comments, ids and retry: the
 * practical limit of "just split on a blank line", not a conforming parser.
 */
function indexOfSplit(chunks, onEvent) {
  const d = new TextDecoder()
  let buf = ''
  let nl = ''
  let sep = ''
  let from = 0
  const block = (s, start, end) => {
    let data
    let type = 'message'
    for (let p = start; p < end; ) {
      let e = s.indexOf(nl, p)
      if (e < 0 || e > end) e = end
      if (s.startsWith('data:', p)) {
        const v = s.slice(s.charCodeAt(p + 5) === 32 ? p + 6 : p + 5, e)
        data = data === undefined ? v : data + '\n' + v
      } else if (s.startsWith('event:', p)) type = s.slice(s.charCodeAt(p + 6) === 32 ? p + 7 : p + 6, e)
      p = e + nl.length
    }
    if (data !== undefined) onEvent(type, data)
  }
  const scan = () => {
    if (!nl) {
      const i = buf.indexOf('\n')
      if (i < 0) return
      nl = i > 0 && buf.charCodeAt(i - 1) === 13 ? '\r\n' : '\n'
      sep = nl + nl
    }
    let pos = 0
    for (;;) {
      // Extra blank lines between events dispatch nothing.
      while (buf.startsWith(nl, pos)) pos += nl.length
      const i = buf.indexOf(sep, Math.max(pos, from))
      if (i < 0) break
      block(buf, pos, i)
      pos = i + sep.length
      from = 0
    }
    if (pos) buf = buf.slice(pos)
    // Resume where a separator could still start, not from 0: linear for one huge event.
    from = Math.max(0, buf.length - sep.length + 1)
  }
  for (const c of chunks) {
    buf += d.decode(c, { stream: true })
    scan()
  }
  buf += d.decode()
  scan()
}
