import { expect, test } from 'vitest'
import { pyJsonDumps } from '../../src/mock/pyjson.js'
import { pyFloat, pyRepr, pyTuple } from '../../src/mock/repr.js'
import { createRandom, randomInt } from '../../src/mock/random.js'
import { python } from './wire.js'

// Characters that stress repr: quotes, backslash, C0/C1 controls, DEL, NBSP,
// soft hyphen, CJK, emoji with ZWJ, zero-width and line/paragraph separators,
// BOM, private use, surrogates, unassigned (U+0378) and assigned after
// Unicode 14 (U+1FAE8, escaped by Python 3.11).
const SPECIAL = [
  "'",
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\0',
  '\x07',
  '\x1b',
  '\x7f',
  '\x80',
  '\x9f',
  '\xa0',
  '\xad',
  'é',
  '中',
  '文',
  '👨',
  '\u200d',
  '💻',
  '\u200b',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
  '\ue000',
  '\u{f0000}',
  '\ud800',
  '\udc00',
  '\u0378',
  '\u{1fae8}',
  '\u{10ffff}',
  ' ',
  'a',
  'Z',
  '~',
]

function generate(count: number): string[] {
  const random = createRandom(2024)
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    let s = ''
    const len = randomInt(random, 0, 12)
    for (let j = 0; j < len; j++) {
      const r = random()
      if (r < 0.5) s += SPECIAL[randomInt(random, 0, SPECIAL.length - 1)]
      else if (r < 0.7) s += String.fromCharCode(randomInt(random, 0x20, 0x7e))
      else if (r < 0.85) s += String.fromCodePoint(randomInt(random, 0, 0xffff))
      else s += String.fromCodePoint(randomInt(random, 0x10000, 0x10ffff))
    }
    out.push(s)
  }
  return out
}

test('pyRepr of strings agrees with CPython 3.11 repr() on 5000 generated strings', () => {
  const strings = generate(5000)
  // JSON carries lone surrogates as \udxxx escapes both ways.
  const expected = JSON.parse(
    python('import json,sys\nprint(json.dumps([repr(s) for s in json.loads(sys.stdin.read())]))', JSON.stringify(strings)),
  ) as string[]
  const mismatches = strings.filter((s, i) => pyRepr(s) !== expected[i])
  expect(mismatches.map((s) => [s, pyRepr(s), expected[strings.indexOf(s)]])).toEqual([])
})

test('pyRepr of every single code point agrees with CPython 3.11 repr()', () => {
  const out = python('import sys\nsys.stdout.buffer.write("\\n".join(repr(chr(c)) for c in range(0x110000)).encode("utf-8"))')
  const lines = out.split('\n')
  expect(lines.length).toBe(0x110000)
  let mismatches = 0
  const first: string[] = []
  for (let cp = 0; cp < 0x110000; cp++) {
    if (pyRepr(String.fromCodePoint(cp)) === lines[cp]) continue
    mismatches++
    if (first.length < 10) first.push(`U+${cp.toString(16)}: ${pyRepr(String.fromCodePoint(cp))} vs ${lines[cp]}`)
  }
  expect(first).toEqual([])
  expect(mismatches).toBe(0)
})

test('pyRepr of floats agrees with CPython float repr() on specials and 3000 random doubles', () => {
  const random = createRandom(7)
  const values = [
    0.1,
    1e16,
    1e15,
    1e-4,
    1e-5,
    5e-324,
    1.7976931348623157e308,
    -0,
    0,
    Infinity,
    -Infinity,
    NaN,
    123456789,
    2 ** 53,
    1e22,
    1.5e-7,
    0.30000000000000004,
    100,
    -2.5,
  ]
  const view = new DataView(new ArrayBuffer(8))
  for (let i = 0; i < 3000; i++) {
    view.setUint32(0, Math.floor(random() * 2 ** 32))
    view.setUint32(4, Math.floor(random() * 2 ** 32))
    values.push(view.getFloat64(0))
  }
  const hex = values.map((v) => {
    view.setFloat64(0, v)
    return [...new Uint8Array(view.buffer)].map((b) => b.toString(16).padStart(2, '0')).join('')
  })
  const expected = JSON.parse(
    python(
      'import json,struct,sys\nprint(json.dumps([repr(struct.unpack(">d", bytes.fromhex(h))[0]) for h in json.loads(sys.stdin.read())]))',
      JSON.stringify(hex),
    ),
  ) as string[]
  expect(values.map((v) => pyRepr(pyFloat(v)))).toEqual(expected)
})

test('pyRepr of containers, ints and constants matches CPython', () => {
  const cases: [unknown, string][] = [
    [
      { content: "'s", request_id: '123456789', n: 1, f: pyFloat(1), t: true, no: false, none: null, l: [1, pyTuple(2), pyTuple()], tu: pyTuple(1, 'a') },
      `{'content': "'s", 'request_id': '123456789', 'n': 1, 'f': 1.0, 't': True, 'no': False, 'none': None, 'l': [1, (2,), ()], 'tu': (1, 'a')}`,
    ],
    [
      new Map<unknown, unknown>([
        [1, 'a'],
        [null, 2],
        [pyTuple(1, 2), 3],
        [pyFloat(1.5), [{}]],
        [false, []],
      ]),
      `{1: 'a', None: 2, (1, 2): 3, 1.5: [{}], False: []}`,
    ],
    [2n ** 70n, '1180591620717411303424'],
    [-7, '-7'],
    [0.5, '0.5'],
    [2 ** 60, '1152921504606846976'],
  ]
  const literals = [
    `{'content': "'s", 'request_id': '123456789', 'n': 1, 'f': 1.0, 't': True, 'no': False, 'none': None, 'l': [1, (2,), ()], 'tu': (1, 'a')}`,
    `{1: 'a', None: 2, (1, 2): 3, 1.5: [{}], False: []}`,
    '2**70',
    '-7',
    '0.5',
    '2**60',
  ]
  const fromPython = python(`for v in [${literals.join(', ')}]: print(repr(v))`)
    .trimEnd()
    .split('\n')
  expect(cases.map(([, text]) => text)).toEqual(fromPython)
  expect(cases.map(([value]) => pyRepr(value as never))).toEqual(fromPython)
})

test('pyJsonDumps agrees with json.dumps(ensure_ascii=False) on generated strings and a dict', () => {
  const strings = generate(2000).filter((s) => !/[\ud800-\udfff]/u.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
  const expected = JSON.parse(
    python('import json,sys\nprint(json.dumps([json.dumps(s, ensure_ascii=False) for s in json.loads(sys.stdin.read())]))', JSON.stringify(strings)),
  ) as string[]
  expect(strings.map((s) => pyJsonDumps(s))).toEqual(expected)
  const dict = python(
    `import json\nprint(json.dumps({'content': 'a"b', 'n': 1, 'f': 1.0, 'x': float('nan'), 'l': (1, None, True), 1: 2}, ensure_ascii=False))`,
  ).trimEnd()
  expect(
    pyJsonDumps(
      new Map<never, never>([
        ['content', 'a"b'],
        ['n', 1],
        ['f', pyFloat(1)],
        ['x', NaN],
        ['l', pyTuple(1, null, true)],
        [1, 2],
      ] as never),
    ),
  ).toBe(dict)
})
