"""One generation as UI-message chunks: ``llm_sse.events(upstream, format='ai-sdk')``.

The same upstream reading, ids, ``on_complete`` and failure handling as the
kit's own format (``llm_sse.generation``); only the payloads differ (see
:mod:`.chunks`). Every event still has an id ``<stream_id>:<n>``, so the
resumable runner stores and replays these streams like any other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Optional

from ..event import Event
from ..failure import Truncated, describe
from ..generation import Builder
from ..upstream import Piece, Reader
from .chunks import DONE, Chunks, dump


def message_id(stream_id: str) -> str:
    """The assistant message's id for a stream: the same on every replay of it (a resume)."""
    return f'msg-{stream_id}'


class UIMessageBuilder(Builder):
    """The events of one generation (or of a tool loop's generations) in the AI SDK's UI-message stream.

    ``meta`` becomes ``messageMetadata`` (on ``start`` and ``finish``; the
    upstream's ``usage`` is added to the one on ``finish``). A refusal is
    sent as text: the protocol has no part for it, and the user should see
    what the model said.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chunks = Chunks(message_id(self.stream_id), self.meta or None)
        self._step_reader: Optional[Reader] = self.reader

    def send(self, chunks: list[dict[str, Any]]) -> list[Event]:
        """Events for ``chunks``, numbered in order."""
        return [self._event(dump(chunk)) for chunk in chunks]

    def _steps(self) -> list[dict[str, Any]]:
        # A tool loop reads each generation with a new Reader: that is where a step ends.
        if self.reader is self._step_reader:
            return []
        self._step_reader = self.reader
        return self.chunks.end_step()

    def piece(self, piece: Piece) -> Iterator[Event]:
        out = self._steps()
        self.text.append(piece.content)
        self.reasoning.append(piece.reasoning)
        out += self.chunks.delta('reasoning', piece.reasoning) + self.chunks.delta('text', piece.content)
        for delta in piece.tool_calls:
            entry = self.calls.add(delta)
            if entry is not None:
                call = self.calls.all[entry['index']]
                out += self.chunks.tool_input(call.id, call.name, entry['function'].get('arguments', ''))
        if piece.refusal:
            self.refusal.append(piece.refusal)
            out += self.chunks.delta('text', piece.refusal)
        return iter(self.send(out))

    def tool_result(self, result: Mapping[str, Any]) -> list[Event]:
        return self.send(self.chunks.tool_output(str(result['id']), result.get('output'), result.get('error')))

    def part(self, key: str, value: Any) -> Event:
        # Named JSON parts the kit's format sends (`"data": ...`) are `data-<name>` parts here.
        [chunk] = self.chunks.data(key, value)[-1:]
        return self._event(dump(chunk))

    def end_events(self) -> list[Event]:
        if not self.reader.finished():
            return self.fail_events(Truncated('the upstream stream ended without a finish_reason'))
        self.complete()
        return [*self.send(self.chunks.finish(self.reader.finish_reason, self.reader.usage)), self._event(DONE)]

    def fail_events(self, error: BaseException) -> list[Event]:
        self.failed = True
        failure = describe(error, self.stream_id)
        # `failure` marks the error for an adapter that has sent nothing yet:
        # it answers with the failure's status and JSON instead of a stream.
        # The closing `[DONE]` carries it too, so the stream's outcome is an error.
        [chunk] = self.chunks.error(failure.message)
        return [self._event(dump(chunk), failure=failure), self._event(DONE, failure=failure)]
