// Attached files: images as thumbnails, anything else as a named chip.

import type { FilePart, MessagePart } from 'llm-sse-client/chat'

/**
 * Where an image part can be shown from: its data, or a data:, blob: or
 * http(s): URL. Anything else (a `javascript:` URL in a restored history)
 * is not an image source.
 */
function imageSource(part: FilePart): string | undefined {
  if (!part.mediaType.startsWith('image/')) return undefined
  if (part.data !== undefined) return `data:${part.mediaType};base64,${part.data}`
  return part.url && /^(data:image\/|blob:|https?:)/i.test(part.url) ? part.url : undefined
}

export function Files(props: { parts: readonly MessagePart[] }) {
  const files = props.parts.filter((p): p is FilePart => p.type === 'file')
  if (files.length === 0) return null
  return (
    <ul className="files" aria-label="Attachments">
      {files.map((f, i) => {
        const src = imageSource(f)
        const name = f.name ?? f.mediaType
        return (
          // Files have no id; their order never changes.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed once sent.
          <li key={i} className="file">
            {src ? <img className="thumb" src={src} alt={name} /> : <span className="chip">{name}</span>}
          </li>
        )
      })}
    </ul>
  )
}
