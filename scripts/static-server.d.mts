/** The repository root. */
export declare const REPO_ROOT: string

/** The Content-Security-Policy sent on every HTML page by default. */
export declare const STRICT_CSP: string

/** Options of {@link startStaticServer}. */
export interface StaticServerOptions {
  /** Repository root holding examples/ and dist/. @default the repo this script is in */
  root?: string | undefined
  /** The built Vite app, served under /app/. @default `<root>/examples/app/dist` */
  appDir?: string | undefined
  /** The built React chat example, served under /react-chat/. @default `<root>/examples/react-chat/dist` */
  reactChatDir?: string | undefined
  /** The built AI SDK useChat example, served under /ai-sdk-useChat/. @default `<root>/examples/ai-sdk-useChat/dist` */
  useChatDir?: string | undefined
  /**
   * A backend in `--format ai-sdk` for that page: `/ai-sdk-useChat/api/*`
   * is forwarded there as `/api/*`. @default none
   */
  useChatBackend?: string | undefined
  /** Served under /dist/ (the UMD builds). @default `<root>/dist` */
  distDir?: string | undefined
  /**
   * Headers added to every proxied request, as nginx's `proxy_set_header`
   * would (an `Authorization` the browser must not hold; in tests, `x-mock-*`
   * fault knobs the Flask backend forwards to the mock LLM). @default {}
   */
  proxyHeaders?: Record<string, string> | undefined
  /**
   * Pass `x-mock-*` request headers from clients on to the backend. Off, a
   * page on the public port cannot ask the mock LLM for a fault (a 24-day
   * delay, a flood of keep-alives); only `proxyHeaders` set them.
   * @default false
   */
  forwardFaultHeaders?: boolean | undefined
  /** Where proxied requests go, e.g. the Flask backend `http://127.0.0.1:5000`. @default none (no proxy) */
  backend?: string | undefined
  /** Path prefixes forwarded to `backend`. @default ['/stream/', '/api/'] */
  proxy?: string[] | undefined
  /** Content-Security-Policy of HTML pages; `false` sends none. @default STRICT_CSP */
  csp?: string | false | undefined
  /** @default 0 (a free port) */
  port?: number | undefined
  /** @default '127.0.0.1' */
  host?: string | undefined
}

/** A running static + proxy server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  port: number
  /** Point the proxy at another backend (takes effect for the next request). */
  setBackend(url: string | undefined): void
  /** Replace `proxyHeaders` (takes effect for the next request). */
  setProxyHeaders(headers: Record<string, string> | undefined): void
  /** Stop listening and drop every open connection. */
  close(): Promise<void>
}

/**
 * Serve `/examples/*.html|js|css|md`, `/dist/*`, the built app under `/app/`
 * (never a file whose real path, symlinks resolved, is outside its folder),
 * an index at `/`, and proxy `proxy` prefixes to `backend` (only the path
 * and query of a request go there, whatever its target names), streaming
 * (no buffering), passing cuts on as cuts, and closing the backend
 * connection when the browser goes away.
 */
export declare function startStaticServer(options?: StaticServerOptions): Promise<StaticServer>
