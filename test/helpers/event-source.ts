// Node has no EventSource: the `eventsource` package is a spec-faithful one
// (it reconnects after the body ends, like browsers), so it shows whether
// the SDK closes it in time.

import { EventSource as NodeEventSource } from 'eventsource'
import type { EventSourceConstructor } from '../../src/index.js'

/**
 * An EventSource class for `createClient({ EventSource })` that records every
 * instance in `instances` (for assertions); `closeAll()` closes the recorded
 * ones and empties the list (call it in `afterEach`, before the server closes).
 */
export function recordingEventSource(): { ES: EventSourceConstructor; instances: NodeEventSource[]; closeAll(): void } {
  const instances: NodeEventSource[] = []
  class RecordingES extends NodeEventSource {
    constructor(url: string | URL, init?: ConstructorParameters<typeof NodeEventSource>[1]) {
      super(url, init)
      instances.push(this)
    }
  }
  return {
    ES: RecordingES as unknown as EventSourceConstructor,
    instances,
    closeAll: () => {
      for (const e of instances.splice(0)) e.close()
    },
  }
}
