"""Upstreams for tests: OpenAI-style chunk dicts and iterators that record being closed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional


def chunk(
    content: Any = None, *, reasoning: Optional[str] = None, finish: Optional[str] = None, index: int = 0
) -> dict:
    delta: dict[str, Any] = {'content': content}
    if reasoning is not None:
        delta['reasoning_content'] = reasoning
    return {'object': 'chat.completion.chunk', 'choices': [{'index': index, 'delta': delta, 'finish_reason': finish}]}


def openai_chunks(tokens: list[str]) -> list[dict]:
    """What an OpenAI-compatible server sends: role chunk, tokens, finish chunk with content None, usage chunk."""
    role = {'choices': [{'index': 0, 'delta': {'role': 'assistant', 'content': ''}, 'finish_reason': None}]}
    usage = {
        'choices': [],
        'usage': {'prompt_tokens': 3, 'completion_tokens': len(tokens), 'total_tokens': 3 + len(tokens)},
    }
    return [role, *(chunk(t) for t in tokens), chunk(None, finish='stop'), usage]


class Recorded:
    """An iterator over ``items`` that raises ``error`` at its end (if given) and records ``close()``."""

    def __init__(self, items: list[Any], error: Optional[BaseException] = None) -> None:
        self.items = list(items)
        self.error = error
        self.closed = False
        self.read = 0

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self.read < len(self.items):
            self.read += 1
            return self.items[self.read - 1]
        if self.error is not None:
            raise self.error
        raise StopIteration

    def close(self) -> None:
        self.closed = True


def tool_call_chunks(index: int, call_id: str, name: str, arguments: str, size: int = 4) -> list[dict]:
    """One tool call as OpenAI streams it: id and name first, then the arguments in ``size``-character pieces."""
    first = {'index': index, 'id': call_id, 'type': 'function', 'function': {'name': name, 'arguments': ''}}
    pieces = [arguments[i : i + size] for i in range(0, len(arguments), size)]
    return [
        {'choices': [{'index': 0, 'delta': {'tool_calls': [d]}, 'finish_reason': None}]}
        for d in [first, *({'index': index, 'function': {'arguments': p}} for p in pieces)]
    ]


def finish(reason: str, usage: Optional[dict] = None) -> dict:
    out: dict[str, Any] = {'choices': [{'index': 0, 'delta': {}, 'finish_reason': reason}]}
    if usage is not None:
        out['usage'] = usage
    return out


class ScriptedClient:
    """An ``openai.OpenAI`` stand-in: ``chat.completions.create`` answers with the next step's chunks.

    A step that is an exception is raised by ``create``. ``requests`` keeps
    each request's keywords, its messages copied as they were sent.
    """

    def __init__(self, steps: list[Any]) -> None:
        self.steps = list(steps)
        self.requests: list[dict[str, Any]] = []
        self.upstreams: list[Recorded] = []
        self.chat = self
        self.completions = self

    def _next(self, kw: dict[str, Any]) -> Any:
        self.requests.append({**kw, 'messages': [dict(m) for m in kw['messages']]})
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step

    def create(self, **kw: Any) -> Recorded:
        upstream = Recorded(self._next(kw))
        self.upstreams.append(upstream)
        return upstream


class AsyncScriptedClient(ScriptedClient):
    """:class:`ScriptedClient` for ``openai.AsyncOpenAI``: ``await create()`` gives an async iterator."""

    async def create(self, **kw: Any) -> Any:  # type: ignore[override]
        items = self._next(kw)

        async def chunks() -> Any:
            for item in items:
                yield item

        return chunks()
