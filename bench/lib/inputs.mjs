// Deterministic bench inputs. Every generator returns the bytes *and* the
// truth (expected events, expected tokens) built alongside them, so a
// contender's correctness is judged against the generator, never against
// another contender.
import { rng } from './measure.mjs'

const enc = new TextEncoder()

// Tokens as a DeepSeek/Qwen tokenizer cuts mixed Chinese/English text, plus
// the awkward ones the seed's repr() must survive: both quote kinds,
// backslash, newline, tab, ZWJ emoji (repr escapes U+200D), U+3000
// (repr escapes it too), markup.
const EN = [
  ' the',
  ' model',
  ' answer',
  ' is',
  ' a',
  ' of',
  ' to',
  ' and',
  ' in',
  ' stream',
  'ing',
  ' token',
  's',
  ' server',
  ',',
  '.',
  ' Python',
  ' Flask',
  ' event',
  ' data',
  "'s",
  " don't",
  ' "quoted"',
  ` it's "both"`,
  '\n',
  '\n\n',
  '**',
  '`',
  '\t',
  '\\',
  ' 42',
  ' 3.14',
  ' <b>',
  ' &',
  ' café',
  ' naïve',
  ' SSE',
  ' fetch',
  ':',
  ' -',
]
const ZH = [
  '我',
  '们',
  '的',
  '模型',
  '流式',
  '输出',
  '，',
  '。',
  '一个',
  '服务器',
  '事件',
  '数据',
  '是',
  '在',
  '中文',
  '测试',
  '：',
  '“',
  '”',
  '\u3000',
  '使用',
  '规范',
  '完成',
  '回答',
  '\n',
]
const EMOJI = [' 👨\u200d💻', ' 🚀', '😀']

/** Seeded token list: runs of Chinese or English, a `<think>` block first. */
export function makeTokens(count, seed = 1) {
  const random = rng(seed)
  const pick = (list) => list[Math.floor(random() * list.length)]
  const tokens = []
  const reasoningLen = Math.min(150, Math.floor(count / 10))
  let zh = false
  let run = 0
  const next = () => {
    if (run-- <= 0) {
      zh = !zh
      run = 20 + Math.floor(random() * 40)
    }
    return random() < 0.01 ? pick(EMOJI) : pick(zh ? ZH : EN)
  }
  tokens.push('<think>')
  for (let i = 0; i < reasoningLen; i++) tokens.push(next())
  tokens.push('</think>', '\n\n')
  while (tokens.length < count) tokens.push(next())
  return tokens
}

// CPython 3.11 repr() of the characters makeTokens() can produce.
function pyStr(s) {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = q
  for (const ch of s) {
    const c = ch.codePointAt(0)
    if (ch === '\\') out += '\\\\'
    else if (ch === q) out += '\\' + q
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0')
    else if (c === 0x200d || c === 0x3000) out += '\\u' + c.toString(16).padStart(4, '0')
    else out += ch
  }
  return out + q
}

/** Go's encoding/json, as Ollama writes it: also escapes <, > and &. */
function goJson(s) {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

function finish(text, events, extra) {
  return { text, bytes: enc.encode(text), events, ...extra }
}

/**
 * (a) The seed's wire format: one Python-repr dict per token, then the
 * `completed` event (Ollama: its final content is '').
 */
export function seedInput(count = 20000, seed = 1) {
  const tokens = makeTokens(count, seed)
  const parts = []
  const events = []
  for (const t of tokens) {
    const data = `{'content': ${pyStr(t)}, 'request_id': '123456789', 'userid': '789465'}`
    parts.push(`data: ${data}\n\n`)
    events.push({ type: 'message', data })
  }
  const last = `{'content': '', 'request_id': '123456789', 'userid': '789465', 'status': 'completed'}`
  parts.push(`data: ${last}\n\n`)
  events.push({ type: 'message', data: last })
  return finish(parts.join(''), events, { tokens })
}

/** The same tokens as (a), sent as JSON (JSON.stringify: raw UTF-8, as `ensure_ascii=False`). */
export function seedJsonInput(count = 20000, seed = 1) {
  const tokens = makeTokens(count, seed)
  const parts = []
  const events = []
  for (const t of tokens) {
    const data = `{"content": ${JSON.stringify(t)}, "request_id": "123456789", "userid": "789465"}`
    parts.push(`data: ${data}\n\n`)
    events.push({ type: 'message', data })
  }
  const last = `{"content": "", "request_id": "123456789", "userid": "789465", "status": "completed"}`
  parts.push(`data: ${last}\n\n`)
  events.push({ type: 'message', data: last })
  return finish(parts.join(''), events, { tokens })
}

/**
 * (b) OpenAI-compatible `chat.completion.chunk` as Ollama's /v1 serves it:
 * compact Go JSON, role on every delta, a final empty delta with
 * `finish_reason: "stop"`, then `[DONE]`.
 */
export function openaiInput(count = 20000, seed = 2) {
  // No <think> tags here: Ollama sends reasoning in its own field.
  const tokens = makeTokens(count + 3, seed)
    .slice(3)
    .filter((t) => t !== '</think>')
  const parts = []
  const events = []
  const chunk = (content, finishReason) =>
    `{"id":"chatcmpl-417","object":"chat.completion.chunk","created":1736512345,"model":"qwen2.5:7b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":${goJson(content)}},"finish_reason":${finishReason ? goJson(finishReason) : 'null'}}]}`
  const push = (data) => {
    parts.push(`data: ${data}\n\n`)
    events.push({ type: 'message', data })
  }
  for (const t of tokens) push(chunk(t, null))
  push(chunk('', 'stop'))
  push('[DONE]')
  return finish(parts.join(''), events, { tokens })
}

/**
 * (c) Large multi-line events (≥ 64 KiB each) with CRLF line ends: named
 * events with ids, long and empty `data` lines, values with leading spaces
 * (indented code), comments inside events, and extra blank lines between
 * events (which dispatch nothing).
 */
export function largeInput(eventCount = 24, seed = 3, minEventBytes = 64 * 1024) {
  const random = rng(seed)
  const words = ['lorem', 'ipsum', 'stream', 'token', '数据', '事件', '服务器', 'fetch', '{', '}', '"k": 1,', '😀', 'x']
  const parts = []
  const events = []
  for (let e = 0; e < eventCount; e++) {
    const lines = []
    let size = 0
    const block = []
    if (e % 3 !== 0) block.push(`event: chunk${e % 5}\r\n`)
    block.push(`id: ${e}\r\n`)
    while (size < minEventBytes) {
      const r = random()
      let line
      if (r < 0.05) line = ''
      else {
        const indent = r < 0.3 ? ' '.repeat(1 + Math.floor(random() * 8)) : ''
        const n = Math.floor(random() * 40)
        const ws = []
        for (let i = 0; i < n; i++) ws.push(words[Math.floor(random() * words.length)])
        line = indent + ws.join(' ')
      }
      lines.push(line)
      // `data:` without the space sometimes (only where the value has no leading space of its own).
      block.push(random() < 0.2 && !line.startsWith(' ') ? `data:${line}\r\n` : `data: ${line}\r\n`)
      size += enc.encode(line).length + 8
      if (random() < 0.01) block.push(': keep-alive\r\n')
    }
    block.push('\r\n')
    if (random() < 0.5) block.push('\r\n\r\n')
    parts.push(block.join(''))
    events.push({ type: e % 3 !== 0 ? `chunk${e % 5}` : 'message', data: lines.join('\n') })
  }
  return finish(parts.join(''), events, {})
}

/** One event of `bytes` bytes (one `data:` line, mostly ASCII with some CJK). */
export function singleEventInput(bytes) {
  const unit = 'The quick brown fox jumps over the lazy dog; 流式输出。 0123456789 '
  const unitBytes = enc.encode(unit).length
  const reps = Math.ceil((bytes - 8) / unitBytes)
  const data = unit.repeat(reps)
  return finish(`data: ${data}\n\n`, [{ type: 'message', data }], {})
}

/** Cut bytes: `whole`, `1k` (1 KiB chunks) or `rand` (seeded random 1–64 bytes). */
export function chunk(bytes, mode, seed = 7, size = 1024) {
  if (mode === 'whole') return [bytes]
  const out = []
  if (mode === 'rand') {
    const random = rng(seed)
    for (let i = 0; i < bytes.length; ) {
      const n = 1 + Math.floor(random() * 64)
      out.push(bytes.subarray(i, i + n))
      i += n
    }
    return out
  }
  const n = mode === '1k' ? 1024 : size
  for (let i = 0; i < bytes.length; i += n) out.push(bytes.subarray(i, i + n))
  return out
}

/** How many chunk boundaries split a UTF-8 character or a CRLF pair (so the report can show the cuts were real). */
export function cutStats(chunks) {
  let utf8 = 0
  let crlf = 0
  for (let i = 1; i < chunks.length; i++) {
    const prev = chunks[i - 1]
    const first = chunks[i][0]
    if ((first & 0xc0) === 0x80) utf8++
    if (prev[prev.length - 1] === 13 && first === 10) crlf++
  }
  return { utf8, crlf }
}

export const CHUNKINGS = ['whole', '1k', 'rand']
export const CHUNKING_LABEL = { whole: 'whole', '1k': '1 KiB', rand: 'random 1–64 B' }
