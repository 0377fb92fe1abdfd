import type { UIMessage } from 'ai'

type Part = UIMessage['parts'][number]

/** A tool part as the AI SDK gives it: `tool-<name>` (or `dynamic-tool`) with a state. */
interface ToolPart {
  type: string
  toolName?: string
  toolCallId: string
  state: string
  input?: unknown
  output?: unknown
  errorText?: string
}

const json = (v: unknown) => JSON.stringify(v, null, 2)

/** One part of a message: text, reasoning, or a tool call as a card. */
export function PartView({ part }: { part: Part }) {
  if (part.type === 'text') return <p data-part="text">{part.text}</p>
  if (part.type === 'reasoning')
    return (
      <details data-part="reasoning" open={part.state === 'streaming'}>
        <summary>Reasoning</summary>
        <p>{part.text}</p>
      </details>
    )
  if (part.type === 'dynamic-tool' || part.type.startsWith('tool-')) {
    const tool = part as unknown as ToolPart
    const name = tool.type === 'dynamic-tool' ? tool.toolName : tool.type.slice(5)
    return (
      <div className="tool" data-part="tool" data-tool={name} data-state={tool.state}>
        <div className="tool-head">
          🔧 <code>{name}</code> <span className="state">{tool.state}</span>
        </div>
        {tool.input !== undefined && <pre className="input">{json(tool.input)}</pre>}
        {tool.state === 'output-available' && <pre className="output">{json(tool.output)}</pre>}
        {tool.state === 'output-error' && <p className="tool-error">{tool.errorText}</p>}
      </div>
    )
  }
  return null
}
