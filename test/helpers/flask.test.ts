import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { startSeed } from './flask.js'

test('without the Flask tutorial app the tests fail at once, naming the missing file', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'llm-sse-no-app-'))
  try {
    const t0 = performance.now()
    await expect(startSeed('http://127.0.0.1:9/v1', empty)).rejects.toThrow(`The Flask tutorial app is missing: ${join(empty, 'app.py')} does not exist`)
    // Before this check the start-up timeout (30 s) reported "printed no line matching".
    expect(performance.now() - t0).toBeLessThan(2000)
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
})
