// Test helpers for the mock: raw HTTP without any SSE client, and a python3
// runner for comparing with CPython itself.

import { spawn, spawnSync } from 'node:child_process'
import { request } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'

/** A response read with node:http, which tells a complete chunked body from a cut one. */
export interface RawResponse {
  status: number
  statusText: string
  headers: IncomingHttpHeaders
  body: Buffer
  text: string
  /** The terminating chunk (or the full Content-Length) arrived. */
  complete: boolean
  /** Milliseconds until the headers, and until the end. */
  headersAt: number
  endAt: number
}

export interface RawInit {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Called with each body chunk; may abort through the returned request. */
  onChunk?: (chunk: Buffer, abort: () => void) => void
}

export function raw(url: string, init: RawInit = {}): Promise<RawResponse> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      const headersAt = Date.now() - started
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        init.onChunk?.(chunk, () => req.destroy())
      })
      // 'error' (aborted) comes with a cut body; 'close' always comes last.
      res.on('error', () => {})
      res.on('close', () => {
        const body = Buffer.concat(chunks)
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body,
          text: body.toString('utf8'),
          complete: res.complete,
          headersAt,
          endAt: Date.now() - started,
        })
      })
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/** The exact bytes on the socket (status line, headers, chunk framing) until the server closes. */
export function wire(port: number, head: string, body = ''): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => resolve(Buffer.concat(chunks)))
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`)
  })
}

/** Run python3 with `input` on stdin and return its stdout. */
export function python(code: string, input = '', executable = 'python3'): string {
  const result = spawnSync(executable, ['-c', code], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr || result.error}`)
  return result.stdout
}

/** The `data:` payloads of a text/event-stream body with LF line ends (multi-line data joined by `\n`). */
export function dataOf(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((line) => line.startsWith('data:')))
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
        .join('\n'),
    )
}

/** Like {@link python} but without blocking the event loop, for scripts that call a server in this process. */
export function pythonAsync(code: string, input = '', executable = 'python3'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python failed: ${err}`))))
    child.stdin.end(input)
  })
}
