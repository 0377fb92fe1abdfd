"""Server-Sent Events framing for the seed's wire format.

One event per token, ``data: {'content': ..., 'request_id': ..., 'userid': ...}``
printed with ``repr()`` as the seed does (``f"data: {resMap}"``), or as JSON.
"""

import json
import re

FORMATS = ('repr', 'json')

# json.dumps(ensure_ascii=False) leaves lone surrogates raw, and a str holding
# one cannot be encoded to UTF-8 (the seed crashed on exactly this when an
# upstream cut an emoji in two). As a JSON escape it is valid and lets the
# client join both halves as UTF-16.
_SURROGATE = re.compile('[\ud800-\udfff]')


def _escape_surrogate(match: re.Match) -> str:
    return '\\u%04x' % ord(match.group())


def dumps(value: dict, fmt: str) -> str:
    """The dict as the seed prints it (``repr``) or as ``json.dumps(..., ensure_ascii=False)``."""
    if fmt == 'json':
        return _SURROGATE.sub(_escape_surrogate, json.dumps(value, ensure_ascii=False))
    # repr() escapes every non-printable character (lone surrogates, CR, LF
    # included), so the result is always a single line.
    return repr(value)


def data_event(value: dict, fmt: str) -> bytes:
    """``data: <dict>\\n\\n``."""
    return f'data: {dumps(value, fmt)}\n\n'.encode('utf-8')


def error_event(message: str) -> bytes:
    """``event: error`` carrying a plain-text message.

    A message with line breaks becomes several ``data:`` lines (the SSE
    parser joins them back with ``\\n``); a raw CR or LF inside one ``data:``
    line would end the line early and lose the rest.
    """
    lines = re.split(r'\r\n|\r|\n', message) or ['']
    text = ''.join(f'data: {line}\n' for line in lines)
    return f'event: error\n{text}\n'.encode('utf-8', 'backslashreplace')
