// In-page harness of bench/children/markdown.mjs: runs one contender over
// the tokens, one token per task (MessageChannel: no timer clamping, and
// the browser still renders frames between tasks as a network stream lets it).
window.runBench = async (kind, tokens, capMs) => {
  const out = document.getElementById('out')
  // Warm-up outside the measurement: each library's first parse compiles its patterns (markdown-it's
  // linkify ≈ 45 ms once per page), a one-time cost the report states separately.
  const warm = '# w\n\n**b** https://x.example\n\n| a |\n|---|\n| 1 |\n'
  Baselines.marked.parse(warm)
  Baselines.markdownit({ linkify: true }).parse(warm, {})
  const w = LlmSseMarkdown.createMarkdownRenderer(document.createElement('div'), { schedule: () => {} })
  w.append(warm)
  w.finish()
  let removed = 0
  const mo = new MutationObserver((rs) => rs.forEach((r) => (removed += r.removedNodes.length)))
  mo.observe(out, { childList: true, subtree: true })
  const long = []
  const po = new PerformanceObserver((l) => l.getEntries().forEach((e) => long.push(e.duration)))
  po.observe({ type: 'longtask' })
  let total = 0
  let longest = 0
  const timed = (f) => {
    const t = performance.now()
    f()
    const d = performance.now() - t
    total += d
    if (d > longest) longest = d
  }

  let onToken
  let onDone = () => {}
  if (kind === 'ours') {
    const view = LlmSseMarkdown.createMarkdownRenderer(out, { schedule: (f) => requestAnimationFrame(() => timed(f)) })
    onToken = (t) => view.append(t)
    onDone = () => view.finish()
  } else if (kind === 'naive') {
    let text = ''
    onToken = (t) => {
      text += t
      out.innerHTML = Baselines.marked.parse(text)
    }
  } else {
    const md = Baselines.markdownit({ linkify: true })
    let text = ''
    const shown = [] // { html, nodes }
    onToken = (t) => {
      text += t
      const all = md.parse(text, {})
      const blocks = []
      for (let i = 0, start = 0; i < all.length; i++) if (all[i].level === 0 && all[i].nesting <= 0) blocks.push(all.slice(start, (start = i + 1)))
      blocks.forEach((tokensOfBlock, i) => {
        const html = md.renderer.render(tokensOfBlock, md.options, {})
        if (shown[i]?.html === html) return
        const tpl = document.createElement('template')
        tpl.innerHTML = html
        const nodes = Array.from(tpl.content.childNodes)
        const old = shown[i]?.nodes ?? []
        const next = shown[i + 1]?.nodes[0] ?? null
        for (const n of nodes) out.insertBefore(n, old[0] ?? next)
        for (const n of old) n.remove()
        shown[i] = { html, nodes }
      })
      for (const s of shown.splice(blocks.length)) for (const n of s.nodes) n.remove()
    }
  }

  const t0 = performance.now()
  let i = 0
  await new Promise((resolve) => {
    const ch = new MessageChannel()
    ch.port1.onmessage = () => {
      if (i < tokens.length && performance.now() - t0 < capMs) {
        const t = tokens[i++]
        timed(() => onToken(t))
        ch.port2.postMessage(0)
      } else {
        timed(onDone)
        resolve()
      }
    }
    ch.port2.postMessage(0)
  })
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r)))
  mo.disconnect()
  po.disconnect()
  return {
    tokensDone: i,
    total,
    longest,
    removed,
    wall: performance.now() - t0,
    longtasks: long.length,
    maxLongtask: Math.max(0, ...long),
    text: out.textContent.length,
  }
}
