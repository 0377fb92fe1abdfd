/**
 * `o[k] = v`, except that a `__proto__` key becomes an own data property (as
 * `JSON.parse` makes it) instead of setting the prototype: keys come from
 * the server. Defined in place: copying the object per such key would be
 * O(n²) on hostile input.
 */
export const setOwn = (o: Record<string, unknown>, k: string, v: unknown): void => {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true })
  else o[k] = v
}
