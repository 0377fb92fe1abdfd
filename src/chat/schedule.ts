/**
 * Call `fn` soon, once for any number of requests until it runs: at the next
 * animation frame (`'frame'`; a macrotask where there is no
 * `requestAnimationFrame`), after `throttle` ms, or at once (`0`). Trailing,
 * so the call sees every change made before it. The mode is read at each
 * request, so it may change while a chat lives.
 * @internal
 */
export function throttled(mode: () => number | 'frame' | undefined, fn: () => void): () => void {
  let pending = false
  const fire = () => {
    pending = false
    fn()
  }
  return () => {
    if (pending) return
    const m = mode() ?? 'frame'
    const raf = (globalThis as { requestAnimationFrame?: (f: () => void) => void }).requestAnimationFrame
    if (m === 0) return fn()
    pending = true
    if (m === 'frame' && raf) raf(fire)
    else setTimeout(fire, m === 'frame' ? 0 : m)
  }
}
