/**
 * Wait until `check()` is true, polling on a short interval. For state only
 * observable by asking (another process's counters); it fails with a clear
 * message instead of hanging when the condition never comes.
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
