"""A server-side tool loop: the model calls tools, this server runs them, the model answers; one stream.

.. code-block:: python

    from llm_sse import tools
    from llm_sse.flask import respond

    def get_time(args):
        return {'utc': datetime.now(timezone.utc).isoformat()}

    @app.post('/api/chat')
    def chat():
        loop = tools.run(client, read_json()['messages'], model=MODEL, tools={'get_time': get_time})
        return respond(loop, cancel=loop.interrupt)

Each step is one generation (one paid upstream request). Its text, reasoning
and tool-call pieces are forwarded as they stream; when it ends asking for
tools, each call is run and answered with a ``tool_result`` event, and the
next generation gets the whole history (the ``assistant`` message with its
``tool_calls``, one ``tool`` message per call). The stream ends with one end
marker when a generation ends without tool calls, or after the tool results
of the ``max_steps``-th generation (the answer then has no text after them;
:class:`~llm_sse.Answer` ``finish_reason`` is ``'tool_calls'``). The events
have ids like any other stream's, so ``llm_sse.resume`` can run a loop
detached and resume it (``respond(runner, lambda sid: tools.run(...,
stream_id=sid))``): the tools run once, whoever reads.

What the model sends is untrusted. A call is answered with an error, which
the model sees in the next step and the client in the ``tool_result``, and
the loop goes on, when: its tool does not exist (``'unknown tool'``), its
arguments are not JSON (``'the arguments are not valid JSON'``) or are over
``max_argument_bytes`` (``'the arguments are too large'``), or the tool
raises. A tool that raises :class:`ToolError` sends its message; any other
exception sends ``'the tool failed'`` and its traceback goes to the server
log (``llm_sse`` logger) with the stream and call ids. Calls past
``max_calls`` in one generation are dropped (docs/wire.md).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import AsyncIterator, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

from .event import Event
from .failure import UpstreamFailed
from .generation import Answer, Builder, aread, builder, new_stream_id, read
from .payload import Format, dumps_json
from .tool_calls import MAX_ARGUMENT_BYTES, MAX_CALLS, ToolCall, ToolCalls
from .upstream import Reader, interrupt

log = logging.getLogger('llm_sse')

#: Generations one loop makes at most, by default.
MAX_STEPS = 5


class ToolError(Exception):
    """Raise it in a tool to fail the call with this message, shown to the client and the model.

    Any other exception fails the call with a generic message (its details
    may hold secrets), logged with its traceback.
    """


@dataclass(frozen=True)
class Tool:
    """A tool with what the model is told about it.

    ``fn`` receives the call's arguments, parsed from JSON (usually a dict),
    and returns a JSON value; with :func:`arun` it may be ``async``.
    ``parameters`` is the JSON Schema of the arguments.
    """

    fn: Callable[[Any], Any]
    description: str = ''
    parameters: Mapping[str, Any] = field(default_factory=lambda: {'type': 'object', 'properties': {}})


Tools = Mapping[str, Union[Tool, Callable[[Any], Any]]]


def _tool(value: Union[Tool, Callable[[Any], Any]]) -> Tool:
    if isinstance(value, Tool):
        return value
    if not callable(value):
        raise TypeError(f'a tool must be a callable or a Tool, not {type(value).__name__}')
    return Tool(value, inspect.getdoc(value) or '')


class _Loop:
    """What the sync and async loops share: the history, the requests, the tool results."""

    def __init__(
        self,
        messages: Sequence[Mapping[str, Any]],
        tools: Tools,
        max_steps: int,
        max_calls: int,
        max_argument_bytes: int,
        builder: Builder,
        create: dict[str, Any],
    ) -> None:
        if max_steps < 1:
            raise ValueError('max_steps must be at least 1')
        if not tools:
            raise ValueError('tools must name at least one tool')
        self.tools = {name: _tool(t) for name, t in tools.items()}
        self.history: list[dict[str, Any]] = [dict(m) for m in messages]
        self.max_steps = max_steps
        self.b = builder
        self.b.calls = ToolCalls(builder.stream_id, max_calls, max_argument_bytes)
        self.create = {
            **create,
            'messages': self.history,
            'tools': [
                {
                    'type': 'function',
                    'function': {'name': n, 'description': t.description, 'parameters': dict(t.parameters)},
                }
                for n, t in self.tools.items()
            ],
            'stream': True,
        }
        self.usage: Optional[dict[str, Any]] = None
        self.pending = False  # the last generation asked for tools
        self._text_start = 0

    def begin(self) -> None:
        self.b.reader = Reader()
        self.b.calls.step()
        self._text_start = len(self.b.text)

    def calls(self) -> list[ToolCall]:
        """After a generation: its calls (none: the answer is done). Adds its ``assistant`` message."""
        reader = self.b.reader
        if reader.usage is not None:
            self.usage = _add_usage(self.usage, reader.usage)
        calls = self.b.calls.in_step()
        self.pending = bool(calls)
        if calls:
            text = ''.join(self.b.text[self._text_start :])
            self.history.append(
                {'role': 'assistant', 'content': text or None, 'tool_calls': [c.message() for c in calls]}
            )
        return calls

    def check(self, call: ToolCall) -> Union[Tool, str]:
        """The tool to run, or why the call fails before it runs."""
        tool = self.tools.get(call.name)
        if tool is None:
            log.warning(
                'stream %s: the model called an unknown tool %r (call %s)', self.b.stream_id, call.name, call.id
            )
            return 'unknown tool'
        if call.too_large:
            return 'the arguments are too large'
        return tool

    def arguments(self, call: ToolCall) -> Any:
        # An empty text is "no arguments" (some servers send none for a tool without parameters).
        return json.loads(call.arguments) if call.arguments.strip() else {}

    def result(self, call: ToolCall, output: Any = None, error: Optional[str] = None) -> list[Event]:
        """The ``tool_result`` events of a call, and its ``tool`` message for the next generation."""
        if error is None:
            try:
                content = output if isinstance(output, str) else dumps_json(output)
            except (TypeError, ValueError):
                log.exception('stream %s: tool %s returned a value that is not JSON', self.b.stream_id, call.name)
                error = 'the tool returned a value that is not JSON'
        if error is not None:
            content = dumps_json({'error': error})
        self.history.append({'role': 'tool', 'tool_call_id': call.id, 'content': content})
        body: dict[str, Any] = {'id': call.id, 'name': call.name}
        if error is None:
            body['output'] = output
        else:
            body['error'] = error
        return self.b.tool_result(body)

    def failed(self, call: ToolCall, error: BaseException) -> str:
        if isinstance(error, ToolError):
            return str(error)[:1000] or 'the tool failed'
        if isinstance(error, _BadArguments):
            return 'the arguments are not valid JSON'
        log.error(
            'stream %s: tool %s failed (call %s)',
            self.b.stream_id,
            call.name,
            call.id,
            exc_info=(type(error), error, error.__traceback__),
        )
        return 'the tool failed'

    def end(self) -> list[Event]:
        if self.pending:
            log.info(
                'stream %s: max_steps (%d) reached with tool calls; no follow-up generation',
                self.b.stream_id,
                self.max_steps,
            )
        if self.usage is not None:
            self.b.reader.usage = self.usage
        return self.b.end_events()


class _BadArguments(ValueError):
    pass


def _parse(loop: _Loop, call: ToolCall) -> Any:
    try:
        return loop.arguments(call)
    except json.JSONDecodeError as error:
        raise _BadArguments() from error


def _add_usage(total: Optional[dict[str, Any]], usage: dict[str, Any]) -> dict[str, Any]:
    """Token counts summed over the steps (each step is billed)."""
    out = dict(total or {})
    for key in ('prompt_tokens', 'completion_tokens', 'total_tokens'):
        value = usage.get(key)
        if isinstance(value, int):
            out[key] = out.get(key, 0) + value
    return out


class ToolLoop(Iterator[Event]):
    """The events of a sync tool loop (see :func:`run`); :meth:`interrupt` wakes it while a model is silent."""

    def __init__(self, client: Any, loop: _Loop) -> None:
        self._client = client
        self._loop = loop
        self._upstream: Any = None
        self._events = self._run()

    def __next__(self) -> Event:
        return next(self._events)

    def close(self) -> None:
        """Stop: closes the upstream request in flight (the model stops generating)."""
        self._events.close()

    def interrupt(self) -> None:
        """Wake a read blocked on the model (from another thread), e.g. when the client went away."""
        if self._upstream is not None:
            interrupt(self._upstream)

    def _run(self) -> Generator[Event, None, None]:
        loop = self._loop
        b = loop.b
        for _ in range(loop.max_steps):
            loop.begin()
            try:
                self._upstream = self._client.chat.completions.create(**loop.create)
            except Exception as error:
                yield from b.fail_events(UpstreamFailed(error))
                return
            try:
                yield from read(self._upstream, b)
            finally:
                self._upstream = None
            if b.failed:
                return
            if not b.reader.finished():
                yield from b.end_events()  # the truncation error
                return
            calls = loop.calls()
            if not calls:
                break
            for call in calls:
                tool = loop.check(call)
                if isinstance(tool, str):
                    yield from loop.result(call, error=tool)
                    continue
                try:
                    output = tool.fn(_parse(loop, call))
                except Exception as error:
                    yield from loop.result(call, error=loop.failed(call, error))
                else:
                    yield from loop.result(call, output)
        yield from loop.end()


def run(
    client: Any,
    messages: Sequence[Mapping[str, Any]],
    *,
    model: str,
    tools: Tools,
    max_steps: int = MAX_STEPS,
    stream_id: Optional[str] = None,
    format: Format = 'json',
    meta: Optional[Mapping[str, Any]] = None,
    on_complete: Optional[Callable[[Answer], None]] = None,
    max_calls: int = MAX_CALLS,
    max_argument_bytes: int = MAX_ARGUMENT_BYTES,
    **create: Any,
) -> ToolLoop:
    """Run a tool loop on ``client`` (an ``openai.OpenAI``); its events, as one stream.

    ``messages``: the conversation (OpenAI chat messages; copied).
    ``tools``: name → callable (its docstring is the description, any JSON
    object its arguments) or :class:`Tool`. Tools run one after the other,
    on the thread that reads the events. ``max_steps``: most generations
    (default 5). ``stream_id``, ``format``, ``meta``, ``on_complete``: as
    for :func:`~llm_sse.events` (``on_complete`` gets the text of every
    step, every tool call, and the usage summed over the steps).
    ``max_calls``: most tool calls per generation; ``max_argument_bytes``:
    largest arguments of one call. Other keywords go to
    ``chat.completions.create`` (``temperature``, ``tool_choice``...).

    Raises :class:`ValueError` at once for a bad option; upstream and tool
    failures never raise (see the module's documentation).
    """
    b = builder(stream_id or new_stream_id(), format, meta, False, on_complete)
    loop = _Loop(messages, tools, max_steps, max_calls, max_argument_bytes, b, {**create, 'model': model})
    return ToolLoop(client, loop)


def arun(client: Any, messages: Sequence[Mapping[str, Any]], **options: Any) -> AsyncIterator[Event]:
    """:func:`run` on an ``openai.AsyncOpenAI`` client (the same keywords).

    The calls of one generation run concurrently: ``async`` tools as tasks,
    plain functions on worker threads (so a slow one does not block the
    server); their results are sent in index order. Cancelling the
    iteration (the client went away) closes the upstream request and
    cancels the ``async`` tools still running (a function on a thread runs
    to its end; its result is dropped).
    """
    # run() checks and maps the keywords; its loop is driven here, by the async client.
    return _arun(client, run(client, messages, **options)._loop)


async def _call(loop: _Loop, call: ToolCall) -> tuple[Any, Optional[str]]:
    tool = loop.check(call)
    if isinstance(tool, str):
        return None, tool
    try:
        args = _parse(loop, call)
        if inspect.iscoroutinefunction(tool.fn):
            output = await tool.fn(args)
        else:
            output = await asyncio.to_thread(tool.fn, args)
            if inspect.isawaitable(output):
                output = await output
    except Exception as error:
        return None, loop.failed(call, error)
    return output, None


async def _arun(client: Any, loop: _Loop) -> AsyncIterator[Event]:
    b = loop.b
    for _ in range(loop.max_steps):
        loop.begin()
        try:
            upstream = await client.chat.completions.create(**loop.create)
        except Exception as error:
            for ev in b.fail_events(UpstreamFailed(error)):
                yield ev
            return
        async for ev in aread(upstream, b):
            yield ev
        if b.failed:
            return
        if not b.reader.finished():
            for ev in b.end_events():
                yield ev
            return
        calls = loop.calls()
        if not calls:
            break
        results = await asyncio.gather(*(_call(loop, c) for c in calls))
        for call, (output, problem) in zip(calls, results):
            for ev in loop.result(call, output, problem):
                yield ev
    for ev in loop.end():
        yield ev
