import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** A raw node:http server on 127.0.0.1:0 that records requests and open sockets. */
export interface TestServer {
  url: string
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[]
  /** Responses still open: a response closes when it ended or when the client went away. */
  readonly open: number
  /** Resolves once no response is open (the client released every connection). */
  drained(): Promise<void>
  close(): Promise<void>
}

export async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<TestServer> {
  const sockets = new Set<Socket>()
  const waiters: (() => void)[] = []
  const requests: TestServer['requests'] = []
  let open = 0
  const settle = () => {
    if (--open === 0) for (const w of waiters.splice(0)) w()
  }
  const server = createServer((req, res) => {
    open++
    // 'close' fires when the response ended or the client closed its side;
    // a spare keep-alive socket the client opens does not count.
    res.on('close', settle)
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (body += c))
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      handler(req, res, body)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get open() {
      return open
    },
    drained: () => (open === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Start an SSE response the way Flask/Werkzeug does (chunked, no Content-Length). */
export function sseHead(res: ServerResponse, status = 200, type = 'text/event-stream; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, Connection: 'close' })
  res.flushHeaders()
}

/** The seed's repr dict event for one token. */
export function seedEvent(content: string, extra = ''): string {
  const q = content.includes("'") && !content.includes('"') ? '"' : "'"
  const body = content
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(new RegExp(q, 'g'), '\\' + q)
  return `data: {'content': ${q}${body}${q}, 'request_id': '123456789', 'userid': '789465'${extra}}\n\n`
}

/** A full seed stream: one event per token, then `completed` repeating the last token. */
export function seedStream(tokens: string[]): string {
  return tokens.map((t) => seedEvent(t)).join('') + seedEvent(tokens.at(-1) ?? '', ", 'status': 'completed'")
}
