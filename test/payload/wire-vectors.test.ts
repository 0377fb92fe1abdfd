import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { createReducer } from '../../src/reduce.js'
import type { StreamEvent } from '../../src/index.js'
import { bytesOf, collect, splits } from '../helpers/chunks.js'

// The shared vectors of the kit's wire (docs/wire.md): python/tests/
// test_wire_vectors.py checks that the kit sends exactly each case's `sse`;
// here the SDK must read that `sse`, whole and cut anywhere, into exactly its
// `events` and `result`.

interface Case {
  name: string
  sse: string
  events: unknown[]
  result: Record<string, unknown>
}
const { cases } = JSON.parse(readFileSync(new URL('../fixtures/wire/tools.json', import.meta.url), 'utf8')) as { cases: Case[] }

const SHOWN = ['delta', 'reasoning', 'tool-input', 'tool-call', 'tool-result', 'data']

function decode(chunks: Uint8Array[]) {
  const events: StreamEvent[] = []
  const r = createReducer({ emit: (e) => events.push(e) })
  r.connecting(1)
  r.open()
  const { events: sse, end } = collect(chunks)
  for (const e of sse) r.event(e)
  r.end(end.discarded)
  const shown = events.flatMap((e): unknown[] => (SHOWN.includes(e.type) ? [e] : e.type === 'warning' ? [{ type: 'warning', code: e.warning.code }] : []))
  return { shown, result: r.result() }
}

for (const c of cases)
  test(`the SDK reads the kit's wire: ${c.name}`, () => {
    for (const [how, chunks] of splits(bytesOf(c.sse))) {
      const { shown, result } = decode(chunks)
      expect(shown, how).toEqual(c.events)
      expect(result, how).toMatchObject(c.result)
      expect(
        result.warnings.filter((w) => w.code !== 'refusal'),
        how,
      ).toEqual([])
    }
  })
