// Markdown inputs shared by the markdown tests: the CommonMark spec
// examples, the GFM and streaming edge cases (a data file), a seeded text
// splitter and a generated LLM-style answer.

import { readFileSync } from 'node:fs'
import spec from 'commonmark-spec'
import { prng } from '../helpers/chunks.js'

/** The spec's examples (its `→` stands for a tab). */
export const specExamples = spec.tests.map((t) => ({
  number: t.number,
  section: t.section,
  markdown: t.markdown.replace(/→/g, '\t'),
  html: t.html.replace(/→/g, '\t'),
}))

/** GFM tables / task lists / strikethrough / autolinks, and cases where a later line changes an earlier block. */
export const cases = JSON.parse(readFileSync('test/fixtures/markdown/cases.json', 'utf8')) as { gfm: string[]; tricky: string[] }

/** Cut `text` into pieces of `min`..`max` characters at positions chosen by `seed`. */
export function splitText(text: string, seed: number, min = 1, max = 12): string[] {
  const random = prng(seed)
  const out: string[] = []
  for (let i = 0; i < text.length; ) {
    const n = min + Math.floor(random() * (max - min + 1))
    out.push(text.slice(i, i + n))
    i += n
  }
  return out
}

/** Cut `text` into pieces of about one LLM token (1 to 6 characters, deterministic). */
export const tokens = (text: string, seed = 1) => splitText(text, seed, 1, 6)

const SECTION = (i: number) => `## ${i}. Routing and views

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

/** An LLM-style Markdown answer (headings, lists, a table, code) of at least `chars` characters. */
export function answer(chars: number): string {
  let out = '# Flask in detail\n\n'
  for (let i = 1; out.length < chars; i++) out += SECTION(i)
  return out
}
