import ts from 'typescript'
import { expect, test } from 'vitest'

// The public surface, entry by entry. Each entry has one export list (its
// index file); this test pins those lists, so a name becomes public only on
// purpose, and checks the TSDoc tags agree with them: every exported name is
// documented and tagged `@public`, and no `@public` tag sits on a name that
// no entry exports.

const root = new URL('../../', import.meta.url).pathname
const ENTRIES = {
  '.': 'src/index.ts',
  './dom': 'src/dom/index.ts',
  './mock-server': 'src/mock/index.ts',
  './testing': 'src/testing/index.ts',
  './markdown': 'src/markdown/index.ts',
  './react/markdown': 'src/react/markdown.ts',
  './vue/markdown': 'src/vue/markdown.ts',
  './chat': 'src/chat/index.ts',
  './react': 'src/react/index.ts',
  './vue': 'src/vue/index.ts',
} as const

const program = ts.createProgram(
  Object.values(ENTRIES).map((f) => root + f),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true },
)
const checker = program.getTypeChecker()

function exportsOf(file: string): ts.Symbol[] {
  const source = program.getSourceFile(root + file)!
  return checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)
}

const resolved = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s)
const tags = (s: ts.Symbol) => (resolved(s).declarations ?? []).flatMap((d) => ts.getJSDocTags(d).map((t) => t.tagName.text))
const names = (file: string) =>
  exportsOf(file)
    .map((s) => s.name)
    .sort()

test('the mock-server entry exports the server, its tables and the expected answers, nothing internal', () => {
  expect(names(ENTRIES['./mock-server'])).toEqual(
    [
      'DEFAULT_PROMPT',
      'MOCK_ROUTES',
      'MOCK_SCENARIOS',
      'MockOutcome',
      'MockRoute',
      'MockScenario',
      'MockServer',
      'MockServerOptions',
      'MockStatsSnapshot',
      'Script',
      'ScriptOptions',
      'expectedReasoning',
      'expectedText',
      'scriptFor',
      'startMockServer',
    ].sort(),
  )
})

test('the testing entry exports the msw handlers, their counters, the tables and the expected answers, nothing internal', () => {
  expect(names(ENTRIES['./testing'])).toEqual(
    [
      'DEFAULT_PROMPT',
      'MOCK_ROUTES',
      'MOCK_SCENARIOS',
      'MockHandlersOptions',
      'MockOutcome',
      'MockRoute',
      'MockScenario',
      'MockStats',
      'MockStatsSnapshot',
      'Script',
      'ScriptOptions',
      'createMockHandlers',
      'createMockStats',
      'expectedReasoning',
      'expectedText',
      'scriptFor',
    ].sort(),
  )
})

test('every exported name has TSDoc tagged @public, never @internal', () => {
  const wrong: string[] = []
  for (const [entry, file] of Object.entries(ENTRIES))
    for (const s of exportsOf(file)) {
      const t = tags(s)
      const documented = (resolved(s).declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0)
      if (!documented || !t.includes('public') || t.includes('internal')) wrong.push(`${entry}: ${s.name}`)
    }
  expect(wrong).toEqual([])
})

test('no @public tag sits on a name that no entry exports', () => {
  const exported = new Set(Object.values(ENTRIES).flatMap((f) => exportsOf(f).map(resolved)))
  const stray: string[] = []
  for (const source of program.getSourceFiles()) {
    if (!source.fileName.startsWith(root + 'src/')) continue
    for (const statement of source.statements) {
      if (!ts.getJSDocTags(statement).some((t) => t.tagName.text === 'public')) continue
      const declarations = ts.isVariableStatement(statement) ? statement.declarationList.declarations : [statement as unknown as ts.NamedDeclaration]
      for (const d of declarations) {
        const symbol = d.name && checker.getSymbolAtLocation(d.name)
        if (!symbol || !exported.has(symbol)) stray.push(`${source.fileName.slice(root.length)}: ${d.name?.getText() ?? 'unnamed'}`)
      }
    }
  }
  expect(stray).toEqual([])
})
