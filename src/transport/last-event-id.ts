// `Last-Event-ID` as a browser's EventSource sends it: the id's UTF-8 bytes
// (WHATWG HTML §9.2.4 "UTF-8 encode"). `Headers` values are ByteStrings, one
// character per byte, so the bytes go in as a binary string; handing it
// `café` as is would send the Latin-1 byte E9, which no server decodes back.

/**
 * The header value for `id`, or `undefined` when no HTTP stack can send it:
 * control characters other than tab (fetch rejects NUL, CR and LF; Node's
 * undici every other one too, failing the request as a "network" error that
 * a retry would only repeat). Leading and trailing spaces and tabs are
 * trimmed by `Headers`, as by a browser.
 */
export function lastEventIdHeader(id: string): string | undefined {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(id)) return undefined
  // Fast path: ASCII is its own UTF-8.
  if (!/[^\x00-\x7f]/.test(id)) return id
  let out = ''
  for (const byte of new TextEncoder().encode(id)) out += String.fromCharCode(byte)
  return out
}
