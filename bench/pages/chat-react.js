// Two React pages for the chat bench, chosen by the path: useChat from
// llm-sse-client/react, and the hook people write by hand (one setState per
// token). Each counts React commits (Profiler) and animation frames while
// the answer streams, and sets window.__done when the answer is on screen.
import { Profiler, createElement as h, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { createClient } from '../../src/index.ts'
import { useChat } from '../../src/react/index.ts'

// Commits after mounting: the question appearing, the answer's updates, its final status.
const stats = (window.__stats = { commits: 0, frames: 0 })
let mounted = false
let framing = true
const frame = () => {
  stats.frames++
  if (framing) requestAnimationFrame(frame)
}
// `?paced=1` is passed on to the server, which then sends the tokens a few at a time.
const request = { path: `/stream/post${location.search}`, json: { prompt: 'bench' } }

/** After the final status is committed: one more frame so the text is painted. */
function finish(status) {
  framing = false
  requestAnimationFrame(() =>
    setTimeout(() => {
      const text = document.getElementById('out').textContent
      window.__done = { status, length: text.length, text }
    }),
  )
}

function WithUseChat() {
  const { messages, send } = useChat({ request: () => request })
  useEffect(() => {
    mounted = true
    requestAnimationFrame(frame)
    void send('bench')
  }, [send])
  const a = messages[1]
  const final = a && a.status !== 'connecting' && a.status !== 'streaming'
  // biome-ignore lint/correctness/useExhaustiveDependencies: report once, when the answer becomes final.
  useEffect(() => void (final && finish(a.status)), [final])
  return h('div', { id: 'out' }, a?.text ?? '')
}

function HandWritten() {
  const [text, setText] = useState('')
  const [status, setStatus] = useState('connecting')
  useEffect(() => {
    mounted = true
    requestAnimationFrame(frame)
    const s = createClient().post(request.path, { json: request.json })
    s.on('delta', (e) => setText((t) => t + e.text))
    s.result.then((r) => setStatus(r.status))
    return () => s.abort()
  }, [])
  useEffect(() => void (status !== 'connecting' && finish(status)), [status])
  return h('div', { id: 'out' }, text)
}

const Page = location.pathname.endsWith('use-chat') ? WithUseChat : HandWritten
createRoot(document.getElementById('root')).render(h(Profiler, { id: 'chat', onRender: () => void (mounted && stats.commits++) }, h(Page)))
