"""One generation as events: the upstream's tokens in, :class:`Event` values out.

This is where a stream's events are made; writing them to a response is the
adapters' job (``llm_sse.flask``, ``llm_sse.starlette``), and a store can
keep them for a later reader instead. The events of a generation are:

- one per token, ``{"content": ..., **meta}`` plus ``"reasoning_content"``
  when the upstream sent reasoning;
- one per tool-call piece, ``{"content": "", **meta, "tool_calls": [{...}]}``,
  and one per refusal piece, ``{"content": "", **meta, "refusal": ...}``
  (docs/wire.md has every field);
- then, only when the upstream really finished (a ``finish_reason``, or the
  end of a plain string iterator), ``{"content": "", **meta, "status":
  "completed"}`` (with ``usage`` when the upstream sent it);
- or, when the upstream failed or was cut, ``event: error`` with
  ``{"error": {"message", "type", "request_id"}}`` and nothing after it.

Every event has an id, ``<stream_id>:<n>`` with n counting from 0, so a
client can say where it stopped (``Last-Event-ID``).
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .event import Event
from .failure import Truncated, UpstreamFailed, describe
from .payload import Format, dumper
from .tool_calls import ToolCall, ToolCalls
from .upstream import Piece, Reader

log = logging.getLogger('llm_sse')


@dataclass(frozen=True)
class Answer:
    """A complete answer, as passed to ``on_complete`` (e.g. to save it)."""

    stream_id: str
    text: str
    reasoning: str
    finish_reason: Optional[str]
    usage: Optional[dict[str, Any]]
    #: The tool calls of the answer (of every step, for a tool loop), in index order.
    tool_calls: tuple[ToolCall, ...] = ()
    #: What the model said instead of answering, when it refused.
    refusal: str = ''


def event_id(stream_id: str, n: int) -> str:
    """The id of event ``n`` (from 0) of stream ``stream_id``."""
    return f'{stream_id}:{n}'


def parse_event_id(value: str) -> Optional[tuple[str, int]]:
    """``(stream_id, n)`` from an id made by :func:`event_id`, ``None`` for anything else."""
    stream_id, sep, n = value.rpartition(':')
    if not sep or not stream_id or not n.isascii() or not n.isdigit() or len(n) > 18:
        return None
    return stream_id, int(n)


def new_stream_id() -> str:
    """A random stream id (32 hex digits)."""
    return uuid.uuid4().hex


def check_format(fmt: Format, repeat_last: bool) -> Callable[[Any], str]:
    """The payload writer for ``fmt``.

    Raises :class:`ValueError` for an unknown format, or ``repeat_last``
    with a format other than ``'repr'``.
    """
    dumps = dumper(fmt)
    if repeat_last and fmt != 'repr':
        # A JSON client appends every content it gets: the repeated token
        # would show twice. Only the tutorial's repr clients expect it.
        raise ValueError("repeat_last is for format='repr' (the Flask tutorial's clients) only")
    return dumps


class Builder:
    """The events of one generation; shared by the sync and async loops."""

    def __init__(
        self,
        stream_id: str,
        fmt: Format,
        meta: Optional[Mapping[str, Any]],
        repeat_last: bool,
        on_complete: Optional[Callable[[Answer], None]],
    ) -> None:
        self.dumps = check_format(fmt, repeat_last)
        self.stream_id = stream_id
        self.meta = dict(meta or {})
        self.repeat_last = repeat_last
        self.on_complete = on_complete
        self.reader = Reader()
        self.calls = ToolCalls(stream_id)
        self.n = 0
        self.last: dict[str, Any] = {'content': '', **self.meta}
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.failed = False

    def _event(self, data: str, **fields: Any) -> Event:
        ev = Event(data, id=event_id(self.stream_id, self.n), **fields)
        self.n += 1
        return ev

    def piece(self, piece: Piece) -> Iterator[Event]:
        """The events of one piece: its text, then one per tool-call piece, then its refusal."""
        if piece.content or piece.reasoning:
            self.last = {'content': piece.content, **self.meta}
            if piece.reasoning:
                self.last['reasoning_content'] = piece.reasoning
            self.text.append(piece.content)
            self.reasoning.append(piece.reasoning)
            yield self._event(self.dumps(self.last))
        for delta in piece.tool_calls:
            entry = self.calls.add(delta)
            if entry is not None:
                yield self.part('tool_calls', [entry])
        if piece.refusal:
            self.refusal.append(piece.refusal)
            yield self.part('refusal', piece.refusal)

    def part(self, key: str, value: Any) -> Event:
        """An event that carries no text: ``{"content": "", **meta, key: value}``."""
        return self._event(self.dumps({'content': '', **self.meta, key: value}))

    def tool_result(self, result: Mapping[str, Any]) -> list[Event]:
        """The events of a tool the server ran: ``result`` is ``{"id", "name", "output" | "error"}``."""
        return [self.part('tool_result', dict(result))]

    # The loops (here and in tools.py) take lists from end_events() and
    # fail_events(): one event each here, several in the AI SDK's format
    # (its finish, then `[DONE]`).

    def end_events(self) -> list[Event]:
        """The last events: the end marker, or the error when the upstream never finished."""
        return [self.end()]

    def fail_events(self, error: BaseException) -> list[Event]:
        """The last events of a failed generation (sets :attr:`failed`)."""
        return [self.fail(error)]

    def complete(self) -> None:
        """Call ``on_complete`` with the whole answer (the upstream finished)."""
        if self.on_complete is not None:
            answer = Answer(
                self.stream_id,
                ''.join(self.text),
                ''.join(self.reasoning),
                self.reader.finish_reason,
                self.reader.usage,
                tuple(self.calls.all),
                ''.join(self.refusal),
            )
            try:
                self.on_complete(answer)
            except Exception:
                # The answer reached the user whole; a failed save is the server's problem.
                log.exception('on_complete failed for stream %s', self.stream_id)

    def end(self) -> Event:
        """The end marker, or the error event when the upstream never finished."""
        if not self.reader.finished():
            return self.fail(Truncated('the upstream stream ended without a finish_reason'))
        self.complete()
        # The tutorial's clients read the previous dict again with the status
        # (its content repeats the last token); by default the content is empty.
        final = dict(self.last) if self.repeat_last else {'content': '', **self.meta}
        if self.reader.usage is not None:
            final['usage'] = self.reader.usage
        final['status'] = 'completed'
        return self._event(self.dumps(final))

    def fail(self, error: BaseException) -> Event:
        self.failed = True
        failure = describe(error, self.stream_id)
        return self._event(failure.json(), event='error', failure=failure)


def builder(
    stream_id: str,
    fmt: Format,
    meta: Optional[Mapping[str, Any]] = None,
    repeat_last: bool = False,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> Builder:
    """The event builder of ``fmt``: the kit's own dicts, or the AI SDK's UI-message chunks."""
    if fmt == 'ai-sdk':
        from .ai_sdk.encode import UIMessageBuilder  # imports this module

        return UIMessageBuilder(stream_id, fmt, meta, repeat_last, on_complete)
    return Builder(stream_id, fmt, meta, repeat_last, on_complete)


def events(
    upstream: Iterable[Any],
    *,
    stream_id: Optional[str] = None,
    format: Format = 'json',
    meta: Optional[Mapping[str, Any]] = None,
    repeat_last: bool = False,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> Iterator[Event]:
    """The events of the generation read from ``upstream``.

    ``upstream``: the ``openai`` client's stream (``stream=True``), an
    iterable of chunk dicts, or of strings (one token each; ``None`` skipped).
    ``stream_id``: the ids' prefix (default: random). ``format``: ``'json'``,
    ``'repr'``, or ``'ai-sdk'`` (the AI SDK's UI-message stream for its
    ``useChat``; see ``llm_sse.ai_sdk``). ``meta``: keys added to every
    payload dict (a request id, a user id; ``messageMetadata`` in ``'ai-sdk'``).
    ``repeat_last``: the end event repeats the last token's dict instead of
    an empty ``content``, as the Flask tutorial's clients expect.
    ``on_complete``: called with the :class:`Answer` before the end event,
    only when the upstream finished.

    Never raises for an upstream failure: it becomes the last event
    (``event: error``, with :attr:`Event.failure` set). Closing this
    iterator closes ``upstream`` (so the model stops generating). Raises
    :class:`ValueError` at once for an unknown ``format``, or for
    ``repeat_last`` with a format other than ``'repr'``.
    """
    # Built here, not in the generator, so a bad option raises in the route.
    return _events(upstream, builder(stream_id or new_stream_id(), format, meta, repeat_last, on_complete))


def _events(upstream: Iterable[Any], b: Builder) -> Iterator[Event]:
    yield from read(upstream, b)
    if not b.failed:
        yield from b.end_events()


def read(upstream: Iterable[Any], b: Builder) -> Iterator[Event]:
    """The events of ``upstream``'s pieces; a failure is the last event (and sets ``b.failed``). Closes ``upstream``."""
    items = iter(upstream)
    try:
        while True:
            try:
                item = next(items)
            except StopIteration:
                break
            except Exception as error:  # GeneratorExit (client gone) is not an Exception
                yield from b.fail_events(UpstreamFailed(error))
                return
            try:
                piece = b.reader.read(item)
            except Exception as error:
                yield from b.fail_events(error)
                return
            if piece is not None:
                yield from b.piece(piece)
    finally:
        close = getattr(upstream, 'close', None)
        if callable(close):
            close()


def aevents(
    upstream: AsyncIterable[Any],
    *,
    stream_id: Optional[str] = None,
    format: Format = 'json',
    meta: Optional[Mapping[str, Any]] = None,
    repeat_last: bool = False,
    on_complete: Optional[Callable[[Answer], None]] = None,
) -> AsyncIterator[Event]:
    """:func:`events` for an async upstream (the ``openai.AsyncOpenAI`` client's stream)."""
    return _aevents(upstream, builder(stream_id or new_stream_id(), format, meta, repeat_last, on_complete))


async def _aevents(upstream: AsyncIterable[Any], b: Builder) -> AsyncIterator[Event]:
    async for ev in aread(upstream, b):
        yield ev
    if not b.failed:
        for ev in b.end_events():
            yield ev


async def aread(upstream: AsyncIterable[Any], b: Builder) -> AsyncIterator[Event]:
    """:func:`read` for an async upstream."""
    items = upstream.__aiter__()
    try:
        while True:
            try:
                item = await items.__anext__()
            except StopAsyncIteration:
                break
            except Exception as error:  # CancelledError (client gone) is not an Exception
                for ev in b.fail_events(UpstreamFailed(error)):
                    yield ev
                return
            try:
                piece = b.reader.read(item)
            except Exception as error:
                for ev in b.fail_events(error):
                    yield ev
                return
            if piece is not None:
                for ev in b.piece(piece):
                    yield ev
    finally:
        await aclose(upstream)


async def aclose(upstream: Any) -> None:
    """Close an async upstream: ``aclose()`` (async generators) or ``close()`` (openai's ``AsyncStream``)."""
    for name in ('aclose', 'close'):
        close = getattr(upstream, name, None)
        if callable(close):
            result = close()
            if inspect.isawaitable(result):
                await result
            return
