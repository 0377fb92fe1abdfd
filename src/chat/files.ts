import { invalid } from './shared.js'
import type { ChatFile, FilePart } from './types.js'

/**
 * Largest file `send()` takes (decoded size): a message and its files live
 * in memory, in every request of the chat and in `serialize()`.
 */
const MAX_FILE = 20 * 1024 * 1024

/** Base64 of bytes, in slices: one `String.fromCharCode` call per byte would be slow, one for all overflows the stack. */
function base64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

/**
 * The bytes of a file. `arrayBuffer()` where the Blob has it (browsers,
 * Node); `FileReader` otherwise, for Blob implementations without it (jsdom,
 * older WebViews).
 */
function bytes(f: Blob): Promise<Uint8Array> {
  if (typeof f.arrayBuffer === 'function') return f.arrayBuffer().then((b) => new Uint8Array(b))
  return new Promise((resolve, reject) => {
    const r = new FileReader()
    r.onload = () => resolve(new Uint8Array(r.result as ArrayBuffer))
    r.onerror = () => reject(r.error)
    r.readAsArrayBuffer(f)
  })
}

/**
 * The file parts of `send({ files })`: a `File`/`Blob` is read into base64
 * `data`. What is not a file, or is larger than 20 MiB, throws
 * `invalid-options` at once, before anything is read or sent.
 * @internal
 */
export function readFiles(files: readonly ChatFile[]): Promise<FilePart[]> {
  if (!Array.isArray(files)) throw invalid('send(): files must be a list')
  const read = files.map((f, i) => {
    const blob = f instanceof Blob
    const { mediaType, url, data, name } = f as Exclude<ChatFile, Blob>
    if (!blob && (typeof mediaType !== 'string' || typeof (url ?? data) !== 'string'))
      throw invalid(`send(): files[${i}] is not a File, a Blob or { mediaType, url | data }`)
    // Base64 and data URLs hold 3 bytes in 4 characters.
    const size = blob ? f.size : ((url ?? '').length + (data ?? '').length) * 0.75
    if (size > MAX_FILE) throw invalid(`send(): files[${i}] is ${(size / 2 ** 20).toFixed(1)} MiB; the limit is 20 MiB per file`)
    return blob
      ? bytes(f).then((b): FilePart => ({ type: 'file', mediaType: f.type || 'application/octet-stream', data: base64(b), name: (f as File).name }))
      : ({ type: 'file', mediaType, url, data, name } as FilePart)
  })
  return Promise.all(read)
}
