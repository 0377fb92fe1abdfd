import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

/**
 * A TCP proxy on 127.0.0.1:0 standing in for a load balancer: each new
 * connection goes to the current `target`, and `cut()` drops every open
 * connection at once, as a network failure or a worker's restart does.
 */
export interface Proxy {
  url: string
  /** Where new connections go (`http://127.0.0.1:<port>`). */
  target: string
  /** Connections accepted so far, and the target each went to. */
  readonly routed: string[]
  /** Destroy every open connection (both sides). */
  cut(): void
  close(): Promise<void>
}

export async function startProxy(target: string): Promise<Proxy> {
  const open = new Set<Socket>()
  const routed: string[] = []
  const track = (s: Socket): void => {
    open.add(s)
    s.once('close', () => open.delete(s))
  }
  const proxy: Proxy = {
    url: '',
    target,
    routed,
    cut() {
      for (const s of open) s.destroy()
    },
    close: () =>
      new Promise((resolve) => {
        proxy.cut()
        server.close(() => resolve())
      }),
  }
  const server = createServer((client) => {
    const { hostname, port } = new URL(proxy.target)
    routed.push(proxy.target)
    const upstream = createConnection({ host: hostname, port: Number(port) })
    track(client)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    const drop = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.once('error', drop)
    upstream.once('error', drop)
    client.once('close', drop)
    upstream.once('close', drop)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return proxy
}
