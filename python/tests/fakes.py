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
