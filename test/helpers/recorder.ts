// An HTTP forwarder on 127.0.0.1:0 that keeps the JSON body of every
// request it passes on: what a page sent, exactly as the server behind it
// received it. Responses stream through unbuffered; a client that goes
// away closes the upstream request too.

import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Recorder {
  url: string
  /** The parsed JSON body of every request with one, in arrival order. */
  bodies: unknown[]
  close(): Promise<void>
}

export async function startRecorder(target: string): Promise<Recorder> {
  const bodies: unknown[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    if (body.length > 0) bodies.push(JSON.parse(body.toString('utf8')))
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    res.on('close', () => upstream.destroy())
    upstream.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
