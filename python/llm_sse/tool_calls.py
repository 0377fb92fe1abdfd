"""The tool calls of one stream, put together from the pieces the model streams.

Every piece is untrusted model output: the number of calls per generation
and the size of each call's arguments are capped (what is past a cap is
neither kept nor forwarded, and the server log says so), and the stream's
own numbering replaces the model's. A model numbers the calls of each
generation from 0 and may send any ``index``; a stream that runs several
generations (the tool loop in ``tools.py``) needs one numbering, so calls
get ``index`` 0, 1, 2... in the order they first appear, across the whole
stream. Ids are unique in the stream too: a call without an id, or with the
id of an earlier call, gets ``call_<index>``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Optional

from .upstream import ToolCallDelta

log = logging.getLogger('llm_sse')

#: Most tool calls one generation may make before later ones are dropped.
MAX_CALLS = 32
#: Largest JSON arguments text of one call, in UTF-8 bytes; past it the call is marked ``too_large``.
MAX_ARGUMENT_BYTES = 64 * 1024


@dataclass
class ToolCall:
    """A tool call of the stream: its stream-wide ``index`` and ``id``, its name and JSON arguments text."""

    index: int
    id: str
    name: str = ''
    #: The arguments passed the size cap: :attr:`arguments` holds only what fit.
    too_large: bool = False
    _parts: list[str] = field(default_factory=list, repr=False)
    _size: int = field(default=0, repr=False)

    @property
    def arguments(self) -> str:
        """The JSON arguments text so far (the pieces joined; not parsed: a model can write invalid JSON)."""
        if len(self._parts) > 1:
            self._parts[:] = [''.join(self._parts)]
        return self._parts[0] if self._parts else ''

    def message(self) -> dict[str, Any]:
        """The call as an OpenAI ``assistant`` message's ``tool_calls[]`` entry (to send it back)."""
        return {'id': self.id, 'type': 'function', 'function': {'name': self.name, 'arguments': self.arguments}}


class ToolCalls:
    """The calls of one stream; :meth:`step` starts a new generation's numbering."""

    def __init__(
        self, stream_id: str, max_calls: int = MAX_CALLS, max_argument_bytes: int = MAX_ARGUMENT_BYTES
    ) -> None:
        if max_calls < 1 or max_argument_bytes < 1:
            raise ValueError('max_calls and max_argument_bytes must be at least 1')
        self.stream_id = stream_id
        self.max_calls = max_calls
        self.max_argument_bytes = max_argument_bytes
        #: Every call of the stream, in index order.
        self.all: list[ToolCall] = []
        self._step: dict[int, ToolCall] = {}
        self._ids: set[str] = set()
        self._dropped = False

    def step(self) -> None:
        """A new generation starts: its model numbers its calls from 0 again."""
        self._step = {}
        self._dropped = False

    def in_step(self) -> list[ToolCall]:
        """The calls of the current generation, in index order."""
        return list(self._step.values())

    def add(self, delta: ToolCallDelta) -> Optional[dict[str, Any]]:
        """Apply one piece; returns its wire entry (``tool_calls[]`` of an event), or ``None`` when it adds nothing."""
        call = self._step.get(delta.index)
        entry: dict[str, Any] = {}
        if call is None:
            if len(self._step) >= self.max_calls:
                if not self._dropped:
                    self._dropped = True
                    log.warning(
                        'stream %s: more than %d tool calls in one answer; later ones dropped',
                        self.stream_id,
                        self.max_calls,
                    )
                return None
            index = len(self.all)
            call = ToolCall(index, self._unique(delta.id, index))
            self._step[delta.index] = call
            self.all.append(call)
            self._ids.add(call.id)
            entry = {'index': index, 'id': call.id, 'type': 'function'}
        else:
            entry = {'index': call.index}
        function: dict[str, str] = {}
        if delta.name and not call.name:
            call.name = function['name'] = delta.name[:256]
        arguments = self._append(call, delta.arguments)
        if entry.get('id') is None and not function and not arguments:
            return None
        function['arguments'] = arguments
        entry['function'] = function
        return entry

    def _unique(self, wanted: str, index: int) -> str:
        # The id goes back to the model in the next request and to the page as
        # a key: it must be unique in the stream, and bounded.
        if wanted and len(wanted) <= 256 and wanted not in self._ids:
            return wanted
        candidate = f'call_{index}'
        while candidate in self._ids:
            candidate = f'{candidate}_{self.stream_id[:8]}'
        return candidate

    def _append(self, call: ToolCall, text: str) -> str:
        if not text or call.too_large:
            return ''
        size = len(text.encode('utf-8', 'surrogatepass'))
        if call._size + size > self.max_argument_bytes:
            call.too_large = True
            log.warning(
                'stream %s: the arguments of tool call %d are over %d bytes; the rest is dropped',
                self.stream_id,
                call.index,
                self.max_argument_bytes,
            )
            return ''
        call._size += size
        call._parts.append(text)
        return text
