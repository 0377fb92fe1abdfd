"""Event payloads: one dict per token, written as JSON or as a Python ``repr``.

JSON is the default. ``repr`` is the format of the Flask tutorial this
project grew from (``f"data: {dict}"``), kept for clients written against
it; llm-sse-client reads both. ``ai-sdk`` is the AI SDK's UI-message
stream (``llm_sse.ai_sdk``): JSON chunks of its own shapes, for ``useChat``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Literal

#: ``'json'``: ``json.dumps(..., ensure_ascii=False)``; ``'repr'``: Python's ``repr()``;
#: ``'ai-sdk'``: the AI SDK's UI-message stream (JSON chunks, ``data: [DONE]`` last).
Format = Literal['json', 'repr', 'ai-sdk']
FORMATS: tuple[Format, ...] = ('json', 'repr', 'ai-sdk')

# json.dumps(ensure_ascii=False) leaves lone surrogates raw, and a str holding
# one cannot be encoded to UTF-8 (an upstream that cuts an emoji between two
# chunks sends exactly that). As a JSON escape it is valid, and a client that
# joins the tokens as UTF-16 (JavaScript) gets the emoji back.
_SURROGATE = re.compile('[\ud800-\udfff]')


def _escape_surrogate(match: re.Match[str]) -> str:
    return f'\\u{ord(match.group()):04x}'


def dumps_json(value: Any) -> str:
    """``value`` as one line of JSON, non-ASCII raw, lone surrogates escaped."""
    # Raw CR/LF never appear: json.dumps escapes every control character.
    return _SURROGATE.sub(_escape_surrogate, json.dumps(value, ensure_ascii=False))


def dumps_repr(value: Any) -> str:
    """``repr(value)``: always one line (repr escapes CR, LF and every non-printable character)."""
    return repr(value)


def dumper(fmt: Format) -> Callable[[Any], str]:
    """The writer for ``fmt``; raises :class:`ValueError` for an unknown format."""
    if fmt in ('json', 'ai-sdk'):
        return dumps_json
    if fmt == 'repr':
        return dumps_repr
    raise ValueError(f'format must be one of {", ".join(FORMATS)}, not {fmt!r}')


def format_headers(fmt: Format) -> dict[str, str]:
    """Response headers a stream of format ``fmt`` needs besides the event-stream ones."""
    # The AI SDK's client checks nothing, but its own servers send it and
    # proxies and tools (`llm-sse-client check`) tell the protocol by it.
    return {'x-vercel-ai-ui-message-stream': 'v1'} if fmt == 'ai-sdk' else {}
