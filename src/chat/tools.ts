import { invalid } from './shared.js'
import type { ChatMessage, ChatOptions, ChatTool, ToolCallPart, ToolCallState } from './types.js'

/**
 * Most calls one answer may make. The core keeps 128 and drops the rest,
 * so an answer of 1,000 calls arrives as 128 and is refused here as a whole.
 */
const MAX_CALLS = 100

/** What the tool loop needs of the store. @internal */
export interface ToolHost {
  messages(): readonly ChatMessage[]
  replace(before: ChatMessage, after: ChatMessage): void
  /** Send the history, ending with the answer whose results it carries, for the next step. */
  generate(list: readonly ChatMessage[]): Promise<ChatMessage>
  /** The tools run (`halt` stops them) or, with no argument, have all settled. */
  running(halt?: { abort(): void }): void
}

/** A call still waiting for something: its result, or the user. */
const pending = (p: { type: string; state?: ToolCallState }) => p.type === 'tool-call' && (p.state === 'input-available' || p.state === 'awaiting-approval')

/**
 * The client side of the tool loop: after an answer, check its calls, run
 * those that can run, and once none is pending send the results back for one
 * more step (at most `maxSteps` generations per question).
 * @internal
 */
export function createTools(o: ChatOptions, host: ToolHost) {
  /** Calls executing, by id: each is given the error text it ends with when cut short. */
  const running = new Map<string, (errorText: string) => void>()
  /** Generations made for the question being answered. A restored chat counts its last answer as one. */
  let steps = 1
  /** Bumped by `stop()`: a loop started before it sends nothing after it. */
  let epoch = 0
  const halt = { abort: () => running.forEach((end) => end('Stopped before the tool finished')) }
  const last = () => host.messages()[host.messages().length - 1]

  /** Replace call `id` of the last answer. */
  const patch = (id: string, change: Partial<ToolCallPart>) => {
    const m = last()!
    host.replace(m, { ...m, parts: m.parts.map((p) => (p.type === 'tool-call' && p.id === id ? { ...p, ...change } : p)) })
  }

  /** The next step, when nothing is pending, the last step ended with calls and no `stop()` came since `e`. */
  const next = (e: number): ChatMessage | Promise<ChatMessage> => {
    // After a stop the history may be gone (`clear()`): nothing is read then.
    const m = last()!
    const parts = e === epoch ? m.parts : []
    return m?.status === 'completed' && steps < (o.maxSteps ?? 1) && parts[parts.length - 1]?.type === 'tool-call' && !parts.some(pending)
      ? host.generate(host.messages())
      : m
  }

  /** Run `execute` of call `p`; resolves once the call has its result, error, timeout or stop. */
  const exec = (p: ToolCallPart, tool: ChatTool) =>
    new Promise<void>((resolve) => {
      const ac = new AbortController()
      const end = (change: Partial<ToolCallPart>) => {
        // The first end wins: a result after a timeout or a stop is dropped.
        if (!running.delete(p.id)) return
        clearTimeout(timer)
        if (!running.size) host.running()
        patch(p.id, change)
        resolve()
      }
      running.set(p.id, (errorText) => {
        ac.abort()
        end({ state: 'output-error', errorText })
      })
      host.running(halt)
      // A tool that hangs is bad input like a bad call: its answer sends nothing more on its own.
      const timer =
        tool.timeout &&
        setTimeout(() => {
          epoch++
          running.get(p.id)!(`Tool '${p.name}' did not finish within ${tool.timeout} ms`)
        }, tool.timeout)
      // Called in a `then`, so a synchronous throw is an error result like a rejection.
      Promise.resolve()
        .then(() => tool.execute!(p.input, { signal: ac.signal, messages: host.messages() }))
        .then(
          (output) => end({ state: 'output-available', output }),
          (e) => end({ state: 'output-error', errorText: String(e?.message ?? e) }),
        )
    })

  /** Call `id` of the last answer, which must be in state `state` (and not running). */
  const find = (method: string, id: string, state: ToolCallState) => {
    const p = last()?.parts.find((q): q is ToolCallPart => q.type === 'tool-call' && q.id === id)
    if (p?.state !== state || running.has(id)) throw invalid(`${method}(): no call ${id} is ${state}`)
    return p
  }
  const settle = (e: number, run?: Promise<void>) => Promise.resolve(run).then(() => next(e))

  return {
    halt,
    /** A generation starts: the first for a question, or a next step. */
    step(continued: boolean) {
      steps = continued ? steps + 1 : 1
    },
    stopped() {
      epoch++
    },
    /**
     * The answer is final and `completed`: check the calls it made (parts
     * from `from`), start those that can run, and resolve with the last
     * step's answer once nothing more runs on its own.
     */
    check(answer: ChatMessage, from: number): ChatMessage | Promise<ChatMessage> {
      const tools = o.tools ?? {}
      const e = epoch
      const all = answer.parts.filter((p): p is ToolCallPart => p.type === 'tool-call')
      const calls = answer.parts.slice(from).filter((p): p is ToolCallPart => p.type === 'tool-call' && p.state === 'input-available')
      if (!calls.length) return answer
      // Bad input from the model: no call of this answer runs, and nothing is sent back on its own.
      const why = (p: ToolCallPart) =>
        all.filter((q) => q.id === p.id).length > 1
          ? `The call id '${p.id}' is used twice`
          : !Object.hasOwn(tools, p.name)
            ? `Unknown tool '${p.name}'`
            : p.input === undefined
              ? 'The arguments are not JSON'
              : ''
      const refused = calls.length > MAX_CALLS ? `more than ${MAX_CALLS} calls in one answer` : calls.some(why) && 'another call of this answer is invalid'
      const parts = answer.parts.map((p) =>
        !calls.includes(p as ToolCallPart)
          ? p
          : refused
            ? { ...p, state: 'output-error' as const, errorText: why(p as ToolCallPart) || `Not run: ${refused}` }
            : tools[(p as ToolCallPart).name]!.needsApproval
              ? { ...p, state: 'awaiting-approval' as const }
              : p,
      )
      // Unchanged parts are the calls that run now (or wait for a result); started first, so the state published next says so.
      const runs = parts.map(
        (p) =>
          !refused &&
          calls.includes(p as ToolCallPart) &&
          tools[(p as ToolCallPart).name]!.execute &&
          exec(p as ToolCallPart, tools[(p as ToolCallPart).name]!),
      )
      host.replace(answer, { ...answer, parts })
      return refused ? last()! : settle(e, Promise.all(runs) as Promise<unknown> as Promise<void>)
    },
    addToolResult(id: string, output: unknown) {
      find('addToolResult', id, 'input-available')
      patch(id, { state: 'output-available', output })
      return settle(epoch)
    },
    approve(id: string) {
      const p = find('approve', id, 'awaiting-approval')
      const tool = o.tools?.[p.name]
      const run = tool?.execute && exec(p, tool)
      patch(id, { state: 'input-available' })
      return settle(epoch, run)
    },
    deny(id: string, reason?: string) {
      find('deny', id, 'awaiting-approval')
      patch(id, { state: 'denied', errorText: reason })
      return settle(epoch)
    },
  }
}
