// Non-stream bodies: what a Flask app (Werkzeug 3.1) or an OpenAI-compatible
// server answers instead of a stream. The HTML texts are Werkzeug's own
// (werkzeug.exceptions, 3.1.8), byte for byte, because clients show them to
// users and tests compare excerpts of them.

const WERKZEUG: Record<number, [string, string]> = {
  400: ['Bad Request', 'The browser (or proxy) sent a request that this server could not understand.'],
  401: [
    'Unauthorized',
    'The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn&#39;t understand how to supply the credentials required.',
  ],
  403: ['Forbidden', 'You don&#39;t have the permission to access the requested resource. It is either read-protected or not readable by the server.'],
  404: ['Not Found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.'],
  405: ['Method Not Allowed', 'The method is not allowed for the requested URL.'],
  429: ['Too Many Requests', 'This user has exceeded an allotted request count. Try again later.'],
  500: [
    'Internal Server Error',
    'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
  ],
  502: ['Bad Gateway', 'The proxy server received an invalid response from an upstream server.'],
  503: [
    'Service Unavailable',
    'The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.',
  ],
  504: ['Gateway Timeout', 'The connection to an upstream server timed out.'],
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  422: 'Unprocessable Entity',
}

/** The HTTP reason phrase (`Internal Server Error`), or `Unknown`. */
export function reason(status: number): string {
  return WERKZEUG[status]?.[0] ?? REASONS[status] ?? 'Unknown'
}

/** Werkzeug's HTML error page for `status`. */
export function werkzeugPage(status: number): string {
  const [title, text] = WERKZEUG[status] ?? [reason(status), '']
  return `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`
}

const OPENAI_ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided: sk-mock.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to use this model.', type: 'invalid_request_error', code: 'model_not_allowed' },
  404: { message: 'The model `mock` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests. Please try again in 2s.', type: 'requests', code: 'rate_limit_exceeded' },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  503: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
}

/** An OpenAI-style error document: `{"error": {"message", "type", "param", "code"}}`. */
export function openaiError(status: number, message?: string): string {
  const known = OPENAI_ERRORS[status] ?? { message: reason(status), type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null }
  return JSON.stringify({ error: { message: message ?? known.message, type: known.type, param: null, code: known.code } })
}

/** An HTML page served with status 200 where a stream was expected (an SPA fallback or a login page). */
export const HTML_200 =
  '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Sign in</title></head>\n<body><div id="root">Please sign in to continue.</div></body>\n</html>\n'
