// An LLM-style Markdown answer cut into tokens of 1-6 characters (seeded),
// for the markdown bench: a heading, then sections with a paragraph, a
// nested list, a table, a fenced code block, a quote and a numbered list.
import { rng } from './measure.mjs'

const section = (i) => `## ${i}. Routing and views

Flask maps a URL to a **view function** with the \`@app.route\` decorator; see [the docs](https://flask.palletsprojects.com/) for *all* options.
A view returns a string, a tuple or a \`Response\`.

- **Variable rules**: \`/user/<name>\` passes \`name\` to the view
- **HTTP methods**: \`methods=['GET', 'POST']\`
- **URL building**: \`url_for('index')\` avoids hard-coded paths
  - nested detail with _emphasis_

| Feature | Flask | Django |
|---|:-:|---:|
| ORM | no | yes |
| Admin | no | yes |

\`\`\`python
from flask import Flask

app = Flask(__name__)

@app.route("/user/<name>")
def user(name):
    return f"Hello, {name}!"
\`\`\`

> **Note:** run \`flask --app hello run --debug\` while developing.

1. Create a virtualenv
2. \`pip install flask\`
3. Run it

`

/** `count` tokens of an answer (about 3.5 characters each). */
export function markdownTokens(count, seed = 7) {
  let text = '# Flask in detail\n\n'
  while (text.length < count * 6) text += section(text.length)
  const random = rng(seed)
  const out = []
  for (let i = 0; out.length < count; ) {
    const n = 1 + Math.floor(random() * 6)
    out.push(text.slice(i, i + n))
    i += n
  }
  return out
}
