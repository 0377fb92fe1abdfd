// A CLI as the package ships it: bundled to one ES module (rollup does this
// for dist/; esbuild is the quick equivalent in tests), in a temp dir.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

/** A bundled CLI; `remove()` deletes its temp dir. */
export interface BundledCli {
  /** Path of the bundled `.mjs` file, to run with `process.execPath`. */
  file: string
  remove(): void
}

/** Bundle `entry` (a TypeScript file URL) into `<fresh temp dir named prefix…>/<name>`. */
export async function bundleCli(entry: URL, prefix: string, name: string): Promise<BundledCli> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const file = join(dir, name)
  try {
    await build({ entryPoints: [entry.pathname], bundle: true, platform: 'node', format: 'esm', outfile: file, logLevel: 'silent' })
  } catch (error) {
    remove()
    throw error
  }
  return { file, remove }
}
