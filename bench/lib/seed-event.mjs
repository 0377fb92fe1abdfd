// The seed backend's wire format: a Python dict repr per `data:` line, so the
// benches feed every client the exact bytes the Flask tutorial sends.

/** Python's repr() of a str, for the characters the bench tokens contain. */
export const repr = (s) =>
  "'" +
  s
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\u200d/g, '\\u200d')
    .replace(/\u3000/g, '\\u3000') +
  "'"

/** One seed event carrying `content`; `extra` adds dict entries (e.g. the final status). */
export const seedEvent = (content, extra = '') => `data: {'content': ${repr(content)}, 'request_id': '123456789', 'userid': '789465'${extra}}\n\n`

/** The seed's last event: empty content, status completed. */
export const completedEvent = seedEvent('', ", 'status': 'completed'")
