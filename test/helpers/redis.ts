import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createConnection, createServer } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A `redis-server` this test started on a free loopback port, without persistence. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>/0` */
  url: string
  port: number
  /** Kill it (SIGKILL: every key is lost, as in a crash without persistence). */
  stop(): Promise<void>
  /** Start it again on the same port (empty). */
  start(): Promise<void>
  close(): Promise<void>
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Resolves once `PING` gets `+PONG` on the port, or rejects with the server's output after 10 s. */
async function ready(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}) on port ${port}:\n${output()}`)
    const pong = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'))
      socket.setTimeout(500, () => socket.destroy())
      socket.once('data', (b) => {
        socket.destroy()
        resolve(b.toString().startsWith('+PONG'))
      })
      socket.once('error', () => resolve(false))
      socket.once('close', () => resolve(false))
    })
    if (pong) return
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port}:\n${output()}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Start `redis-server --save '' --appendonly no` on a free port (Debian's `redis-server` package). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined
  let output = ''
  const start = async (): Promise<void> => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = c
    running.add(c)
    c.once('exit', () => running.delete(c))
    c.stdout?.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)))
    c.stderr?.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4000)))
    c.once('error', (error) => (output += `\n${error.message} (is Debian's redis-server package installed?)`))
    await ready(port, c, () => output)
  }
  const stop = async (): Promise<void> => {
    const c = child
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()))
    c.kill('SIGKILL')
    await exited
  }
  await start()
  return { url: `redis://127.0.0.1:${port}/0`, port, stop, start, close: stop }
}
