// Headless Chromium for the browser benches: a fresh profile per run, the
// same flags as the e2e tests so no background traffic shares the core.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM_PATH } from './chromium-path.mjs'

/** Launch Chromium (`CHROMIUM_PATH` overrides); `close()` also deletes the profile. */
export async function launchBenchChromium() {
  const userDataDir = mkdtempSync(join(tmpdir(), 'bench-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
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
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}

/** Stop a DevTools trace started on `cdp` and return its events. */
export async function endTrace(cdp) {
  const traced = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve))
  await cdp.send('Tracing.end')
  const { stream } = await traced
  let json = ''
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream })
    json += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data
    if (chunk.eof) break
  }
  await cdp.send('IO.close', { handle: stream })
  const parsed = JSON.parse(json)
  return parsed.traceEvents ?? parsed
}
