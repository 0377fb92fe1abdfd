import { expect, test } from 'vitest'
import { createThinkSplitter } from '../../src/payload/think.js'
import type { ThinkSplit } from '../../src/payload/think.js'

/** Push every piece, then flush; returns the joined output and the per-step outputs. */
function run(pieces: string[], open = false): { text: string; reasoning: string; steps: ThinkSplit[] } {
  const s = createThinkSplitter({ open })
  const steps = [...pieces.map((p) => s.push(p)), s.flush()]
  return {
    text: steps.map((x) => x.text).join(''),
    reasoning: steps.map((x) => x.reasoning).join(''),
    steps,
  }
}

/** Every way to cut `text` into two pieces, plus one piece per character. */
function cuts(text: string): string[][] {
  const out: string[][] = [[text], [...text]]
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)])
  return out
}

test('text without think tags passes through unchanged and at once', () => {
  const s = createThinkSplitter()
  expect(s.push('Hello')).toEqual({ text: 'Hello', reasoning: '' })
  expect(s.push(' world')).toEqual({ text: ' world', reasoning: '' })
  expect(s.flush()).toEqual({ text: '', reasoning: '' })
})

test('a leading think block goes to reasoning and the rest to text', () => {
  expect(run(['<think>hmm</think>Answer'])).toMatchObject({ text: 'Answer', reasoning: 'hmm' })
})

test('tags split across pushes are recognised (<th + ink>, </thi + nk>)', () => {
  expect(run(['<th', 'ink>', 'plan', '</thi', 'nk>', 'Hi'])).toMatchObject({ text: 'Hi', reasoning: 'plan' })
})

test('every two-way cut and the one-character split of a think stream give the same result', () => {
  const whole = '<think>\nstep 1\nstep 2\n</think>\n\nThe answer.'
  for (const pieces of cuts(whole)) expect(run(pieces), JSON.stringify(pieces)).toMatchObject({ text: 'The answer.', reasoning: 'step 1\nstep 2' })
})

test('the newlines after </think> are dropped even when they arrive in later pushes (DeepSeek-R1 via Ollama)', () => {
  const r = run(['<think>', '\n', '好的', '\n', '</think>', '\n\n', '\n', '**Flask**'])
  expect(r.text).toBe('**Flask**')
  expect(r.reasoning).toBe('好的')
})

test('spaces and indentation at the start of the answer are kept', () => {
  expect(run(['<think>x</think>\n', '    code']).text).toBe('    code')
})

test('newlines inside the reasoning are kept, only those at its edges are dropped', () => {
  expect(run(['<think>\r\n', 'a\n\nb', '\n', '</think>', 'c']).reasoning).toBe('a\n\nb')
})

test('a partial tag is held back and released as text when the next piece shows it is not a tag', () => {
  const s = createThinkSplitter()
  expect(s.push('<th')).toEqual({ text: '', reasoning: '' })
  expect(s.push('e')).toEqual({ text: '<the', reasoning: '' })
  expect(s.push('>')).toEqual({ text: '>', reasoning: '' })
})

test('a lone < at the start of an answer (HTML) is released with the next piece', () => {
  expect(run(['<', 'div>', 'x']).steps.slice(0, 2)).toEqual([
    { text: '', reasoning: '' },
    { text: '<div>', reasoning: '' },
  ])
})

test('a partial closing tag inside the block is held back, then released as reasoning if it was not the tag', () => {
  const s = createThinkSplitter()
  s.push('<think>')
  expect(s.push('a </th')).toEqual({ text: '', reasoning: 'a ' })
  expect(s.push('ere')).toEqual({ text: '', reasoning: '</there' })
})

test('flush releases a held partial tag as text', () => {
  const s = createThinkSplitter()
  expect(s.push('<thin')).toEqual({ text: '', reasoning: '' })
  expect(s.flush()).toEqual({ text: '<thin', reasoning: '' })
})

test('flush releases an unclosed think block as reasoning, held newlines and partial tag included', () => {
  const s = createThinkSplitter()
  expect(s.push('<think>deep\n</th')).toEqual({ text: '', reasoning: 'deep' })
  expect(s.flush()).toEqual({ text: '', reasoning: '\n</th' })
})

test('whitespace before <think> is dropped; whitespace before a normal answer is kept', () => {
  expect(run(['\n', ' <think>r</think>a'])).toMatchObject({ text: 'a', reasoning: 'r' })
  expect(run(['\n', ' hi'])).toMatchObject({ text: '\n hi', reasoning: '' })
})

test('a <think> that does not open the answer stays text (a model writing about the tag)', () => {
  expect(run(['Use the ', '<think>', ' tag.'])).toMatchObject({ text: 'Use the <think> tag.', reasoning: '' })
})

test('only one think block is split out: a second <think> after the answer began stays text', () => {
  expect(run(['<think>a</think>b <think>c</think>'])).toMatchObject({ text: 'b <think>c</think>', reasoning: 'a' })
})

test('a </think> without an opening tag stays text', () => {
  expect(run(['reason', '</think>', 'answer'])).toMatchObject({ text: 'reason</think>answer', reasoning: '' })
})

test('an empty think block yields no reasoning', () => {
  expect(run(['<think>\n\n</think>\n\nHi'])).toMatchObject({ text: 'Hi', reasoning: '' })
})

test('open: text before </think> is reasoning when the template opened the block in the prompt (R1-0528 served raw)', () => {
  for (const pieces of cuts('Okay, the user asks.\n</think>\n\nFlask is')) {
    expect(run(pieces, true), JSON.stringify(pieces)).toMatchObject({ text: 'Flask is', reasoning: 'Okay, the user asks.' })
  }
  // A model that writes the opening tag anyway, and one that ends while thinking.
  expect(run(['\n<think>\nhm', '</think>\n\nA'], true)).toMatchObject({ text: 'A', reasoning: 'hm' })
  expect(run(['still ', 'thinking'], true)).toMatchObject({ text: '', reasoning: 'still thinking' })
  expect(run(['</think>\n\nA'], true)).toMatchObject({ text: 'A', reasoning: '' })
})
