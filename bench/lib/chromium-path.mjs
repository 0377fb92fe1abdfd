// Where the browser benches find Chromium. Kept apart from chromium.mjs so
// the bench runner can check for the browser without loading playwright-core.
import { existsSync } from 'node:fs'

/** Debian's `chromium` package; `CHROMIUM_PATH` overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Why a browser section cannot run here (the section's `skipped`), or undefined when it can. */
export function chromiumMissing() {
  return existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`
}
