// Debian's Chromium driven by playwright-core (no Playwright browser
// download: CI installs the `chromium` apt package, so tests use what real
// users of a distro browser get).

import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { BrowserContext } from 'playwright-core'

/** Where Debian's `chromium` package puts the browser; `CHROMIUM_PATH` overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** A browser with one fresh profile; `close()` also deletes the profile. */
export interface TestBrowser {
  context: BrowserContext
  close(): Promise<void>
}

/**
 * Launch headless Chromium with a fresh profile in a temp dir.
 *
 * `launchPersistentContext` rather than `launch()` plus `--user-data-dir`:
 * playwright-core refuses that argument on `launch()` ("Pass userDataDir
 * parameter to launchPersistentContext"), and an explicit dir is what lets
 * us delete the profile afterwards.
 *
 * Throws (so the test fails, never skips) when the browser is missing.
 */
export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The e2e tests need a real browser: ` +
        'install it with `apt-get install -y chromium` (Debian/Ubuntu) or set CHROMIUM_PATH.',
    )
  const profile = mkdtempSync(join(tmpdir(), 'llm-sse-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1000, height: 760 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      // QUIC would let Chromium race a UDP connection against our loopback HTTP/1.1 servers.
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
