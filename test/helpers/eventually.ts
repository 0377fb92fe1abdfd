/**
 * Poll `read()` on a short interval until `ok(value)`, and return that value.
 * For state only observable by asking (another process's counters); it fails
 * with the last value seen instead of hanging when the condition never comes.
 */
export async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (ok(value)) return value
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms, still ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Wait until `check()` is true (see {@link until}). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  await until(check, Boolean, timeoutMs)
}
