// Counters shared by a mock server or a set of msw handlers, so a test can
// assert that a client sent exactly one request (no hidden retry) and that
// it let go of the stream (no leaked reader).

/** What `GET /__stats` answers. @public */
export interface MockStatsSnapshot {
  /** Requests per path (`/stream/get`, `/v1/chat/completions`, ...), control routes and preflights excluded. */
  requests: Record<string, number>
  /** Responses still being written: streams whose client has not gone away yet. */
  open: number
}

/** Live counters; create one and pass it to the handlers to read it directly. @public */
export interface MockStats {
  /** Count one request to `path`. */
  count(path: string): void
  /** A response started (call once per response, then `closed()` once). */
  opened(): void
  closed(): void
  snapshot(): MockStatsSnapshot
  /** Zero the request counts. `open` is live and is not reset. */
  reset(): void
}

/** A fresh set of counters. @public */
export function createMockStats(): MockStats {
  let requests: Record<string, number> = {}
  let open = 0
  return {
    count(path) {
      requests[path] = (requests[path] ?? 0) + 1
    },
    opened() {
      open++
    },
    closed() {
      open--
    },
    snapshot: () => ({ requests: { ...requests }, open }),
    reset() {
      requests = {}
    },
  }
}
