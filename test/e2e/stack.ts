// Everything a browser test needs, started per test file: the mock LLM,
// the Flask reference backend pointed at it, fresh builds of the UMD
// bundles (and, on request, the Vite app), the demo's static + proxy server,
// and Debian's Chromium. All on 127.0.0.1 port 0.

import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import type { OutputOptions, RollupOptions } from 'rollup'
import { rollup } from 'rollup'
import { startStaticServer, REPO_ROOT } from '../../scripts/static-server.mjs'
import type { StaticServer, StaticServerOptions } from '../../scripts/static-server.d.mts'
import { startMockServer } from '../../src/mock/server.js'
import type { MockServer } from '../../src/mock/server.js'
import { launchChromium } from '../helpers/chromium.js'
import type { TestBrowser } from '../helpers/chromium.js'
import { startFlask } from '../helpers/flask.js'
import type { FlaskBackend, FlaskOptions } from '../helpers/flask.js'

/** Where screenshots go (git-ignored). */
export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots')

/** What the init script records in every page, before any page script runs. */
export interface PageHooks {
  /** Calls of `fetch` (a POST re-sent on a tab switch would show here at once). */
  fetches: number
  /** Every `EventSource` the page created, to read `readyState` afterwards. */
  eventSources: EventSource[]
  /** `securitypolicyviolation` events: what the CSP blocked. */
  violations: string[]
  /** Set by a prompt-injected `onerror` handler, if one ever runs. */
  pwned?: unknown
}

export interface StackOptions {
  /** OpenAI-compatible upstream for Flask. @default a mock server started here */
  upstream?: string | undefined
  /** Build the Vite app for production and serve it under /app/. @default false */
  app?: boolean | undefined
  /** Build examples/react-chat for production and serve it under /react-chat/. @default false */
  reactChat?: boolean | undefined
  /** CSP of the static server's HTML pages. @default its strict default */
  csp?: StaticServerOptions['csp']
  flask?: Omit<FlaskOptions, 'upstream'> | undefined
}

export interface Stack {
  mock: MockServer
  flask: FlaskBackend
  web: StaticServer
  browser: TestBrowser
  context: BrowserContext
  /** A new tab with the hooks installed; page errors fail `close()`. */
  newPage(): Promise<Page>
  /** Mock knobs (`delay`, `dropAfter`, ...) for the following requests, sent as x-mock-* headers through proxy and Flask. */
  faults(knobs: Record<string, string | number>): void
  /** Zero the Flask and mock counters. */
  resetStats(): Promise<void>
  /** Uncaught errors of every page so far. */
  pageErrors: string[]
  close(): Promise<void>
}

/** Build only the script-tag (UMD) bundles of rollup.config.mjs into `outDir`: the full build with types takes 10+ s. */
export async function buildUmd(outDir: string): Promise<void> {
  // A computed specifier: the config is plain JS without types.
  const config = (await import(pathToFileURL(join(REPO_ROOT, 'rollup.config.mjs')).href)) as { default: RollupOptions[] }
  for (const { output, ...input } of config.default) {
    const outputs = ([] as OutputOptions[]).concat(output ?? []).filter((o) => o.format === 'umd')
    if (outputs.length === 0) continue
    const bundle = await rollup({ ...input, onwarn: () => {} })
    for (const o of outputs) await bundle.write({ ...o, file: join(outDir, basename(o.file!)) })
    await bundle.close()
  }
}

/** `vite build examples/<app>` into `outDir`, as a user would run it. */
export async function buildApp(outDir: string, app = 'app'): Promise<void> {
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js')
  const args = [vite, 'build', join(REPO_ROOT, 'examples', app), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (b) => (output += b))
    child.stderr.on('data', (b) => (output += b))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output}`))))
  })
}

/** Init script: counts `fetch` calls, keeps every `EventSource` and CSP violation in `window.__e2e`. */
export function installHooks(): void {
  const w = window as unknown as { __e2e: PageHooks; fetch: typeof fetch; EventSource: typeof EventSource }
  const hooks: PageHooks = { fetches: 0, eventSources: [], violations: [] }
  w.__e2e = hooks
  const realFetch = w.fetch
  w.fetch = function (this: unknown, ...args: Parameters<typeof fetch>) {
    hooks.fetches++
    return realFetch.apply(this, args)
  }
  const RealEventSource = w.EventSource
  w.EventSource = class extends RealEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init)
      hooks.eventSources.push(this)
    }
  }
  document.addEventListener('securitypolicyviolation', (e) => hooks.violations.push(`${e.violatedDirective} ${e.blockedURI}`))
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-sse-e2e-'))
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })]
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await c()
  }
  try {
    const distDir = join(dir, 'dist')
    const appDir = join(dir, 'app')
    const reactChatDir = join(dir, 'react-chat')
    mkdirSync(distDir)
    const browserStart = launchChromium()
    cleanups.push(async () => (await browserStart.catch(() => undefined))?.close())
    const mockStart = startMockServer()
    await Promise.all([
      buildUmd(distDir),
      options.app ? buildApp(appDir) : undefined,
      options.reactChat ? buildApp(reactChatDir, 'react-chat') : undefined,
      mockStart,
    ])
    const mock = await mockStart
    cleanups.push(() => mock.close())
    const flask = await startFlask({ upstream: options.upstream ?? mock.url, ...options.flask })
    cleanups.push(() => flask.close())
    const web = await startStaticServer({ backend: flask.url, distDir, appDir, reactChatDir, csp: options.csp })
    cleanups.push(() => web.close())
    const browser = await browserStart
    const { context } = browser
    await context.addInitScript(installHooks)
    const pageErrors: string[] = []
    return {
      mock,
      flask,
      web,
      browser,
      context,
      pageErrors,
      async newPage() {
        const page = await context.newPage()
        page.on('pageerror', (e) => pageErrors.push(e.message))
        return page
      },
      faults(knobs) {
        web.setProxyHeaders(Object.fromEntries(Object.entries(knobs).map(([k, v]) => [`x-mock-${k}`, String(v)])))
      },
      async resetStats() {
        mock.resetStats()
        const res = await fetch(`${flask.url}/__reset`, { method: 'POST' })
        if (!res.ok) throw new Error(`POST /__reset: HTTP ${res.status}`)
      },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** The page's hook record. */
export function hooks(page: Page): Promise<Omit<PageHooks, 'eventSources'> & { readyStates: number[] }> {
  return page.evaluate(() => {
    const h = (window as unknown as { __e2e: PageHooks }).__e2e
    return { fetches: h.fetches, violations: h.violations, pwned: h.pwned, readyStates: h.eventSources.map((s) => s.readyState) }
  })
}

const FINAL = ['completed', 'incomplete', 'error', 'aborted']

/** Wait until the `data-status` of `selector` is final, and return it (no sleeping: the page says when). */
export async function finalStatus(page: Page, selector: string, timeout = 30_000): Promise<string> {
  const handle = await page.waitForFunction(
    ([sel, final]) => {
      const s = document.querySelector(sel)?.getAttribute('data-status')
      return s && final.includes(s) ? s : false
    },
    [selector, FINAL] as const,
    { timeout },
  )
  return (await handle.jsonValue()) as string
}

/** Hide the tab and show it again, as a tab switch does (`document.hidden` + `visibilitychange`). */
export async function switchTabAway(page: Page): Promise<void> {
  await page.evaluate(() => {
    const set = (hidden: boolean) => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') })
      document.dispatchEvent(new Event('visibilitychange'))
      window.dispatchEvent(new Event(hidden ? 'blur' : 'focus'))
    }
    set(true)
    set(false)
  })
}

/** Save a screenshot of `page` as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
