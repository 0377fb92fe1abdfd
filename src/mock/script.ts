// Deterministic answers for the mock endpoints. Every answer carries the
// tokens that break naive decoders (see the seed README: `'s` makes Python
// switch to double quotes, `it's "x"` needs `\'`, U+200D/U+200B are escaped
// as `\u200d`, `\n` inside a token splits a plain-text `data:` line), so any
// prompt exercises all of them. Pools are split into sentences so that the
// text still reads like an answer when a test prints it.

import { markdownTokens } from './markdown.js'
import { createRandom, hashString, randomInt } from './random.js'

type Sentence = readonly string[]

interface Pools {
  open: Sentence
  /** Always present, in a prompt-dependent order. */
  must: readonly Sentence[]
  filler: readonly Sentence[]
  reasoning: readonly Sentence[]
}

const EN: Pools = {
  open: ['Sure', '!', ' Here', "'s", ' how', ' it', ' works', '.'],
  must: [
    [' The', ' server', ' sends', ' "quoted"', ' text', ',', ' a', ' tab', '\t', 'and', ' a', ' line', '\nbreak', '.'],
    [' A', ' Windows', ' path', ' like', ' C:\\temp\\new', ' keeps', ' its', ' backslashes', '.'],
    ['\n\n', 'She', ' said', ' it\'s "x"', ' and', ' waved', ' 👋', '.'],
    [' Developer', ': ', '👨\u200d💻', ',', ' zero', '\u200b', 'width', ' space', '.'],
    [' In', ' Chinese', ':', ' ', '你好', '，', '世界', '。', '\n'],
  ],
  filler: [
    [' Each', ' token', ' becomes', ' one', ' event', '.'],
    [' The', ' client', ' reads', ' them', ' in', ' order', '.'],
    [' Flask', ' yields', ' bytes', ' from', ' a', ' generator', '.'],
    [' Nothing', ' is', ' buffered', ' on', ' the', ' way', '.'],
    [' The', ' last', ' event', ' says', ' completed', '.'],
    [' A', ' cut', ' stream', ' must', ' not', ' look', ' finished', '.'],
  ],
  reasoning: [
    ['Okay', ',', ' the', ' user', ' wants', ' a', ' streamed', ' answer', '.'],
    [' Let', ' me', ' think', ' step', ' by', ' step', '.'],
    [' I', ' should', ' mention', ' "quotes"', ' and', " it's", ' fine', '.'],
    [' Keep', ' it', ' short', '.'],
  ],
}

const ZH: Pools = {
  open: ['你好', '！', '下面', '介绍', ' Flask', ' 如何', '流式', '输出', '。'],
  must: [
    ['服务器', '发送', ' "quoted"', ' 文本', '，', '制表符', '\t', '和', '换行', '\n第二行', '。'],
    ['路径', ' C:\\temp\\new', ' 保留', '反斜杠', '。'],
    ['\n\n', '他说', ' it\'s "x"', '，', "'s", ' 也', '可以', ' 👋', '。'],
    ['开发者', '：', '👨\u200d💻', '，', '零宽', '\u200b', '空格', '\u3000', '全角空格', '。'],
    [' In', ' English', ':', ' ', 'hello', ' world', '.', '\n'],
  ],
  filler: [
    ['每个', '令牌', '都是', '一个', '事件', '。'],
    ['客户端', '按', '顺序', '读取', '。'],
    ['生成器', '逐个', '产出', '字节', '。'],
    ['中途', '断开', '的', '流', '不能', '算', '完成', '。'],
    ['最后', '一个', '事件', '标记', ' completed', '。'],
  ],
  reasoning: [
    ['嗯', '，', '用户', '想', '了解', '流式', '输出', '。'],
    ['我', '应该', '一步', '一步', '地', '解释', '。'],
    ['注意', ' "引号"', ' 和', " it's", '。'],
  ],
}

/** Options of {@link scriptFor}; the mock endpoints take the same names as query parameters. @public */
export interface ScriptOptions {
  /**
   * Language of the answer. Both languages also carry tokens of the other.
   * @default 'zh' when the prompt contains a Han character, else 'en'
   */
  lang?: 'zh' | 'en' | undefined
  /**
   * Reason first. `tokens` then starts with `<think>`, `\n`, the reasoning
   * tokens, `</think>`, `\n\n` (DeepSeek-R1 through Ollama, inline).
   * @default false
   */
  think?: boolean | undefined
  /** Exact number of answer tokens (the natural answer is cut or extended). @default the natural length, 60 to 100 tokens */
  length?: number | undefined
  /** Insert, after the first answer token, one token of this many ASCII characters. @default no such token */
  oversize?: number | undefined
  /**
   * Split the first emoji's surrogate pair across two tokens, as an upstream
   * that cuts UTF-16 makes the seed send `'\ud83d'` then `'\udc4b'`. The
   * joined text is unchanged.
   * @default false
   */
  loneSurrogates?: boolean | undefined
  /**
   * Put two U+FFFD in the first ASCII word: the mock writes invalid UTF-8
   * bytes there (`FF E4 BD`), which a WHATWG decoder turns into exactly these.
   * @default false
   */
  badUtf8?: boolean | undefined
}

/** A deterministic answer. @public */
export interface Script {
  /** What the seed sends as `content`, in order: the inline `<think>` block (when `think`), then `answer`. */
  tokens: string[]
  /** Answer tokens only. */
  answer: string[]
  /** Reasoning tokens (empty unless `think`). */
  reasoning: string[]
}

/** The prompt the Flask tutorial hard-codes (`text = '详解一下flask框架'`), used when a request carries none. @public */
export const DEFAULT_PROMPT = '详解一下flask框架'

/** Two U+FFFD: what a decoder makes of the bytes FF E4 BD followed by ASCII. */
export const BAD_UTF8_TEXT = '\ufffd\ufffd'

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

function answerTokens(pools: Pools, random: () => number, length: number | undefined): string[] {
  const must = [...pools.must]
  // Fisher-Yates, so the order of the hard tokens depends on the prompt.
  for (let i = must.length - 1; i > 0; i--) {
    const j = randomInt(random, 0, i)
    ;[must[i], must[j]] = [must[j]!, must[i]!]
  }
  const sentences: Sentence[] = [pools.open]
  const fillers = randomInt(random, 2, 4)
  const slots = must.length + fillers
  let left = fillers
  for (let slot = 0; slot < slots; slot++) {
    const fill = must.length === 0 || (left > 0 && random() < left / (slots - slot))
    if (fill) {
      sentences.push(pick(random, pools.filler))
      left--
    } else sentences.push(must.shift()!)
  }
  const tokens = sentences.flat()
  if (length === undefined) return tokens
  while (tokens.length < length) tokens.push(...pick(random, pools.filler))
  return tokens.slice(0, length)
}

function splitFirstEmoji(tokens: string[]): void {
  const at = tokens.findIndex((t) => /[\u{10000}-\u{10ffff}]/u.test(t))
  if (at < 0) return
  const token = tokens[at]!
  const high = token.search(/[\ud800-\udbff]/)
  tokens.splice(at, 1, token.slice(0, high + 1), token.slice(high + 1))
}

function markBadUtf8(tokens: string[]): void {
  const at = tokens.findIndex((t) => /^ ?[A-Za-z]{3,}$/.test(t))
  if (at < 0) return
  const token = tokens[at]!
  const cut = token.startsWith(' ') ? 2 : 1
  tokens[at] = token.slice(0, cut) + BAD_UTF8_TEXT + token.slice(cut)
}

function oversizeToken(size: number): string {
  const unit = 'abcdefghijklmnopqrstuvwxyz'
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
}

/**
 * The answer the mock streams for `prompt`: same prompt and options, same
 * tokens, in every runtime.
 *
 * @example
 * ```ts
 * const { tokens } = scriptFor('hello', { think: true })
 * tokens.slice(0, 2) // ['<think>', '\n']
 * ```
 * @public
 */
export function scriptFor(prompt: string, options: ScriptOptions = {}): Script {
  const lang = options.lang ?? (/\p{Script=Han}/u.test(prompt) ? 'zh' : 'en')
  const pools = lang === 'zh' ? ZH : EN
  // A prompt that asks for Markdown gets a Markdown answer (the examples render it).
  const answer = /markdown/i.test(prompt)
    ? markdownTokens(options.length)
    : answerTokens(pools, createRandom(hashString(`${lang}\u0000${prompt}`)), options.length)
  // Marked before the oversize token exists, so the bytes land in a short word.
  if (options.badUtf8) markBadUtf8(answer)
  if (options.oversize !== undefined && options.oversize > 0) answer.splice(1, 0, oversizeToken(options.oversize))
  let reasoning: string[] = []
  if (options.think) {
    const random = createRandom(hashString(`think\u0000${lang}\u0000${prompt}`))
    const rest = pools.reasoning.slice(1)
    const first = randomInt(random, 0, rest.length - 1)
    const second = (first + randomInt(random, 1, rest.length - 1)) % rest.length
    reasoning = [...pools.reasoning[0]!, ...rest[first]!, ...rest[second]!]
  }
  const tokens = options.think ? ['<think>', '\n', ...reasoning, '</think>', '\n\n', ...answer] : [...answer]
  if (options.loneSurrogates) {
    splitFirstEmoji(tokens)
    splitFirstEmoji(answer)
  }
  return { tokens, answer, reasoning }
}

/**
 * The answer text a correct client shows for `prompt`: the answer tokens
 * joined, without the `<think>` block and its `\n\n` separator, and without
 * the seed's repeated final token.
 * @public
 */
export function expectedText(prompt: string, options: ScriptOptions = {}): string {
  return scriptFor(prompt, options).answer.join('')
}

/** The reasoning text a correct client shows for `prompt` (empty unless `think`). @public */
export function expectedReasoning(prompt: string, options: ScriptOptions = {}): string {
  return scriptFor(prompt, options).reasoning.join('')
}
