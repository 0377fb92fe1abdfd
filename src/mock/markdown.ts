// The mock's answer when the prompt asks for Markdown (says "markdown"): what
// a model answers to the Flask tutorial's "详解一下flask框架", with headings, a nested
// list, a table, fenced code, a quote and a task list, so the Markdown
// renderer has something real to stream. Cut into word-sized tokens.

const ANSWER = `# Flask in detail

Flask is a **micro web framework** for Python: a small core (routing, requests, responses) plus \`Jinja2\` templates and the *Werkzeug* toolkit. See [the docs](https://flask.palletsprojects.com/) for everything else.

## Core ideas

- **Routing**: \`@app.route("/")\` maps a URL to a view function
- **Request context**: \`request\`, \`session\` and \`g\` are bound per request
  - thread-local proxies, so views need no arguments
- **Streaming**: a view may return a generator, sent as it yields

| Feature | Flask | Django |
|---|:-:|---:|
| ORM | no (use SQLAlchemy) | yes |
| Admin | no | yes |
| Async views | yes (2.0+) | yes |

## A streaming endpoint

\`\`\`python
from flask import Flask, Response

app = Flask(__name__)

@app.route("/stream/get")
def stream():
    def generate():
        for token in ["Hello", ", ", "world"]:
            yield f"data: {token}\\n\\n"
    return Response(generate(), mimetype="text/event-stream")
\`\`\`

> **Note:** behind nginx, turn buffering off (\`X-Accel-Buffering: no\`), or the tokens arrive all at once.

### Checklist

- [x] \`pip install flask\`
- [x] write the generator
- [ ] deploy behind a WSGI server such as ~~the dev server~~ gunicorn

That's it 👋 — 你好，Flask！
`

/** The Markdown answer's tokens (cut or repeated to `length` tokens when given). */
export function markdownTokens(length?: number): string[] {
  const tokens = ANSWER.match(/\s*[^\s]{1,5}|\s+/g) ?? []
  if (length === undefined) return tokens
  const out: string[] = []
  while (out.length < length) out.push(...tokens)
  return out.slice(0, length)
}
