"""A plain reading of the SSE parsing rules (WHATWG HTML §9.2.6), to check the encoder against."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Parsed:
    data: str
    event: str
    id: str
    retry: Optional[int]


def parse(body: bytes) -> tuple[list[Parsed], list[str]]:
    """``(events, comments)`` of a complete stream; an unterminated last event is dropped, as the spec says."""
    text = body.decode('utf-8', 'replace')
    if text.startswith('\ufeff'):
        text = text[1:]
    lines = re.split(r'\r\n|\r|\n', text)
    # The last element is what follows the last line break: an unterminated line, never dispatched.
    lines = lines[:-1]
    events: list[Parsed] = []
    comments: list[str] = []
    data: list[str] = []
    event = ''
    last_id = ''
    retry: Optional[int] = None
    for line in lines:
        if line == '':
            if data:
                events.append(Parsed('\n'.join(data), event or 'message', last_id, retry))
            data, event, retry = [], '', None
            continue
        if line.startswith(':'):
            comments.append(line[1:].removeprefix(' '))
            continue
        name, colon, value = line.partition(':')
        if colon:
            value = value.removeprefix(' ')
        if name == 'data':
            data.append(value)
        elif name == 'event':
            event = value
        elif name == 'id' and '\0' not in value:
            last_id = value
        elif name == 'retry' and value.isascii() and value.isdigit():
            retry = int(value)
    return events, comments
