// Full pipelines, bytes → tokens. The SDK's are its public pieces wired the
// way its fetch transport wires them (createSseParser → createReducer with a
// dialect); the alternatives are what people hand-write with JSON.parse.
import { createParser } from 'eventsource-parser'
import { loadTarget } from './build.mjs'

/** The reducer's final text and reasoning after feeding `chunks` through the SDK with `dialect`. */
function sdkPipeline(sdk, dialect) {
  return (chunks) => {
    let deltas = 0
    const reducer = sdk.createReducer({ dialect, emit: (e) => (e.type === 'delta' || e.type === 'reasoning') && deltas++, thinkTags: true })
    reducer.connecting?.(1)
    reducer.open?.()
    const parser = sdk.createSseParser({ onEvent: (e) => reducer.event(e) })
    for (const c of chunks) parser.feed(c)
    reducer.end(parser.end().discarded)
    return { text: reducer.text, reasoning: reducer.reasoning, status: reducer.status ?? reducer.final, deltas }
  }
}

/** @returns {Promise<Record<string, {label: string, input: 'seed' | 'seedJson' | 'openai', run: (chunks: Uint8Array[]) => {text: string, reasoning?: string}}>>} */
export async function pipelines() {
  const sdk = await loadTarget('sdk')
  const { createSseParser, parseJsonish } = sdk
  const jsonSeed = (framer) => (chunks) => {
    let text = ''
    framer(chunks, (data) => {
      text += JSON.parse(data).content
    })
    return { text }
  }
  const jsonOpenai = (framer) => (chunks) => {
    let text = ''
    framer(chunks, (data) => {
      if (data === '[DONE]') return
      const c = JSON.parse(data).choices[0]?.delta?.content
      if (c) text += c
    })
    return { text }
  }
  const sdkFramer = (chunks, onData) => {
    const p = createSseParser({ onEvent: (e) => onData(e.data) })
    for (const c of chunks) p.feed(c)
    p.end()
  }
  const espFramer = (chunks, onData) => {
    const d = new TextDecoder()
    const p = createParser({ onEvent: (e) => onData(e.data) })
    for (const c of chunks) p.feed(d.decode(c, { stream: true }))
  }
  return {
    seed: {
      'sdk-seed': { label: "SDK, `dialect: 'seed'` (parser + parseJsonish + reducer)", input: 'seed', run: sdkPipeline(sdk, 'seed') },
      'sdk-auto': { label: "SDK, `dialect: 'auto'` (the default)", input: 'seed', run: sdkPipeline(sdk, 'auto') },
      'sdk-jsonish': {
        label: 'SDK parser + `parseJsonish(data).content` (no reducer)',
        input: 'seed',
        run(chunks) {
          let text = ''
          sdkFramer(chunks, (data) => {
            text += parseJsonish(data).content
          })
          return { text }
        },
      },
      'sdk-json': { label: 'SDK parser + `JSON.parse(data).content`, same tokens as JSON (reference)', input: 'seedJson', run: jsonSeed(sdkFramer) },
      'esp-json': { label: 'eventsource-parser + `JSON.parse(data).content`, same tokens as JSON', input: 'seedJson', run: jsonSeed(espFramer) },
    },
    openai: {
      'sdk-openai': { label: "SDK, `dialect: 'openai'` (parser + JSON + reducer)", input: 'openai', run: sdkPipeline(sdk, 'openai') },
      'sdk-auto': { label: "SDK, `dialect: 'auto'` (the default)", input: 'openai', run: sdkPipeline(sdk, 'auto') },
      'esp-json': {
        label: 'eventsource-parser + `JSON.parse(data).choices[0].delta.content` (reference)',
        input: 'openai',
        run: jsonOpenai(espFramer),
      },
      'sdk-json': {
        label: 'SDK parser + `JSON.parse(data).choices[0].delta.content`',
        input: 'openai',
        run: jsonOpenai(sdkFramer),
      },
    },
  }
}

export const PIPELINE_REFERENCE = { seed: 'sdk-json', openai: 'esp-json' }
