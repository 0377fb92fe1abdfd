"""Upstream items to tokens: OpenAI-compatible chunks, their dict form, or plain strings.

The seed crashed on exactly these chunks: the role chunk, the finish chunk
with ``content: None`` and usage chunks with ``choices: []`` carry no text
and are skipped here. A chunk stream that ends without any ``finish_reason``
was cut, and :meth:`Reader.finished` says so, so a truncated answer is never
reported as complete. A stream of plain strings has no end marker: its
clean end is its end.

A piece also carries what a chat screen needs besides text: the pieces of
the tool calls the model streams (``delta.tool_calls``, by ``index``) and
its refusal (``delta.refusal``). The encoders (``generation.py``, the tool
loop in ``tools.py``) turn pieces into events; docs/wire.md has their shape.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional


@dataclass(frozen=True)
class ToolCallDelta:
    """One piece of a tool call, as OpenAI streams it in ``delta.tool_calls``.

    ``index`` tells which call of the answer it continues. ``id`` and
    ``name`` come with a call's first piece (``''`` in the others);
    ``arguments`` is the text this piece appends to the call's JSON
    arguments.
    """

    index: int
    id: str
    name: str
    arguments: str


class Piece(NamedTuple):
    """What one upstream item adds (never nothing): answer text, reasoning, tool-call pieces, refusal text."""

    content: str
    reasoning: str
    tool_calls: tuple[ToolCallDelta, ...] = ()
    refusal: str = ''


def _get(value: Any, key: str) -> Any:
    # The openai client gives pydantic objects (unknown fields such as
    # `reasoning_content` kept as attributes); JSON-decoded chunks are dicts.
    if isinstance(value, dict):
        return value.get(key)
    return getattr(value, key, None)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ''


@dataclass
class Reader:
    """Reads one upstream's items in order; one per generation."""

    #: A chunk with a ``finish_reason`` arrived, or the items are plain strings.
    finish_reason: Optional[str] = None
    #: The last ``usage`` object the upstream sent (with ``stream_options={'include_usage': True}``).
    usage: Optional[dict[str, Any]] = None
    _chunks: bool = field(default=False, repr=False)

    def read(self, item: Any) -> Optional[Piece]:
        """The text ``item`` adds, or ``None`` when it adds none."""
        if item is None:
            return None
        if isinstance(item, str):
            return Piece(item, '') if item else None
        if isinstance(item, bytes):
            raise TypeError('upstream items must be str or chat completion chunks, not bytes: decode them first')
        self._chunks = True
        usage = _get(item, 'usage')
        if usage is not None:
            self.usage = usage if isinstance(usage, dict) else _dump(usage)
        choice = _first_choice(_get(item, 'choices'))
        if choice is None:
            return None  # usage chunk (choices: [])
        reason = _get(choice, 'finish_reason')
        if isinstance(reason, str) and reason:
            self.finish_reason = reason
        delta = _get(choice, 'delta')
        if delta is None:
            return None
        # DeepSeek and vLLM send `reasoning_content`, Ollama >= 0.11 `reasoning`.
        reasoning = _text(_get(delta, 'reasoning_content')) or _text(_get(delta, 'reasoning'))
        content = _text(_get(delta, 'content'))
        refusal = _text(_get(delta, 'refusal'))
        calls = _tool_call_deltas(_get(delta, 'tool_calls'))
        if content or reasoning or refusal or calls:
            return Piece(content, reasoning, calls, refusal)
        return None

    def finished(self) -> bool:
        """Whether a clean end of the items is the end of the answer."""
        return not self._chunks or self.finish_reason is not None


def _tool_call_deltas(value: Any) -> tuple[ToolCallDelta, ...]:
    """The checked pieces of ``delta.tool_calls``; an entry without a valid ``index`` is dropped.

    Without its index a piece cannot be joined to its call; a server that
    sends one is broken, and guessing would glue text to the wrong call.
    """
    if not isinstance(value, (list, tuple)):
        return ()
    out = []
    for entry in value:
        index = _get(entry, 'index')
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            continue
        fn = _get(entry, 'function')
        out.append(
            ToolCallDelta(index, _text(_get(entry, 'id')), _text(_get(fn, 'name')), _text(_get(fn, 'arguments')))
        )
    return tuple(out)


def _first_choice(choices: Any) -> Any:
    """Choice 0: with ``n > 1`` other choices are other answers and never join this one."""
    if not isinstance(choices, (list, tuple)):
        return None
    for choice in choices:
        index = _get(choice, 'index')
        if index is None or index == 0:
            return choice
    return None


def _dump(value: Any) -> Optional[dict[str, Any]]:
    dump = getattr(value, 'model_dump', None)
    result = dump() if callable(dump) else None
    return result if isinstance(result, dict) else None


def interrupt(upstream: Any) -> None:
    """Wake a thread blocked reading an ``openai`` stream (called from another thread).

    ``stream.close()`` is not safe while another thread reads the response,
    and closing a socket does not wake a blocked ``recv`` on Linux; a
    ``shutdown`` does (the reader then sees EOF and raises). Does nothing for
    other iterators.
    """
    try:
        network = upstream.response.extensions.get('network_stream')
        sock = network.get_extra_info('socket') if network is not None else None
        if isinstance(sock, socket.socket):
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass  # not an openai stream, or already closed
