"""The upstream: any OpenAI-compatible Chat Completions server, streamed.

Everything the seed's ``deepseek.py`` did, minus its crashes: chunks without
content (the role chunk, the finish chunk with ``content: None``, usage chunks
with ``choices: []``) are skipped instead of raising, and an upstream that
ends without a ``finish_reason`` is reported as truncated instead of being
passed off as a complete answer.
"""

import socket
from typing import Iterator, NamedTuple, Optional

import openai
from openai import OpenAI


class Piece(NamedTuple):
    """What one chunk adds: answer text and/or reasoning text (never both empty)."""

    content: str
    reasoning: str


class Truncated(Exception):
    """The upstream body ended cleanly but without any ``finish_reason``."""


def create_client(base_url: str, api_key: str, timeout: float) -> OpenAI:
    # max_retries=0: the client's default two silent retries turned one
    # upstream failure into ~1.4 s of waiting and up to three billed requests.
    # The read timeout bounds the silence between two chunks, not the answer.
    return OpenAI(
        base_url=base_url,
        api_key=api_key,
        max_retries=0,
        timeout=openai.Timeout(timeout, connect=min(timeout, 10.0)),
    )


def open_stream(client: OpenAI, model: str, prompt: str, extra_headers: Optional[dict] = None):
    """Start the request; returns once the upstream has sent its headers.

    Raises ``openai.APIStatusError`` for an HTTP error status and
    ``openai.APIConnectionError`` / ``openai.APITimeoutError`` when the
    upstream cannot be reached.
    """
    return client.chat.completions.create(
        model=model,
        messages=[{'role': 'user', 'content': prompt}],
        stream=True,
        extra_headers=extra_headers or None,
    )


def _text(value) -> str:
    return value if isinstance(value, str) else ''


def pieces(stream) -> Iterator[Piece]:
    """The tokens of ``stream``; raises :class:`Truncated` if it never finished."""
    finished = False
    for chunk in stream:
        if not chunk.choices:
            continue  # usage chunk (stream_options.include_usage)
        choice = chunk.choices[0]
        if choice.finish_reason:
            finished = True
        delta = choice.delta
        if delta is None:
            continue
        # DeepSeek and vLLM send `reasoning_content`, Ollama >= 0.11 `reasoning`;
        # the openai client keeps such unknown fields as attributes.
        reasoning = _text(getattr(delta, 'reasoning_content', None)) or _text(getattr(delta, 'reasoning', None))
        content = _text(delta.content)
        if content or reasoning:
            yield Piece(content, reasoning)
    if not finished:
        raise Truncated('the upstream stream ended before the model finished (no finish_reason): the answer is truncated')


def interrupt(stream) -> None:
    """Wake a thread blocked reading ``stream`` (called from another thread).

    ``stream.close()`` is not safe while another thread reads the response,
    and closing a socket does not wake a blocked ``recv`` on Linux; a
    ``shutdown`` does (the reader then sees EOF and raises).
    """
    try:
        network = stream.response.extensions.get('network_stream')
        sock = network.get_extra_info('socket') if network is not None else None
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError):
        pass  # already closed


def describe(error: BaseException) -> tuple:
    """``(http_status, type, message, upstream_status)`` for the client."""
    if isinstance(error, Truncated):
        return 502, 'upstream_truncated', str(error), None
    if isinstance(error, openai.APITimeoutError):
        return 504, 'upstream_timeout', 'the upstream LLM server did not answer in time', None
    if isinstance(error, openai.APIConnectionError):
        cause = error.__cause__ or error.__context__
        detail = f': {cause}' if cause else ''
        return 502, 'upstream_connection', f'the connection to the upstream LLM server failed{detail}', None
    if isinstance(error, openai.APIStatusError):
        # body is the upstream's `error` object when it sent OpenAI-style JSON.
        body = error.body
        detail = body.get('message') if isinstance(body, dict) else None
        detail = detail if isinstance(detail, str) and detail else error.response.reason_phrase or 'no details'
        return 502, 'upstream_error', f'the upstream LLM server answered HTTP {error.status_code}: {detail}', error.status_code
    if isinstance(error, openai.APIError):
        return 502, 'upstream_error', f'the upstream LLM server sent an error: {error.message}', None
    return 500, 'internal_error', f'{type(error).__name__}: {error}', None
