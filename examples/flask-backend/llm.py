"""The upstream: any OpenAI-compatible Chat Completions server, streamed.

Shared by the Flask and FastAPI backends (the FastAPI one uses the async client).
"""

from typing import Optional
from urllib.parse import urlsplit, urlunsplit

import httpx
import openai
from openai import AsyncOpenAI, OpenAI


def _timeout(seconds: float) -> openai.Timeout:
    # The read timeout bounds the silence between two chunks, not the answer.
    return openai.Timeout(seconds, connect=min(seconds, 10.0))


def _limits(connections: int) -> httpx.Limits:
    # One connection per answer being generated: a worker that streams more
    # answers at once than the pool holds makes the rest wait, then time out.
    return httpx.Limits(max_connections=connections, max_keepalive_connections=min(connections, 100))


def create_client(base_url: str, api_key: str, timeout: float, connections: int = 1000) -> OpenAI:
    # max_retries=0: the client's default two silent retries turned one
    # upstream failure into ~1.4 s of waiting and up to three billed requests.
    http = openai.DefaultHttpxClient(limits=_limits(connections))
    return OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=_timeout(timeout), http_client=http)


def create_async_client(base_url: str, api_key: str, timeout: float, connections: int = 1000) -> AsyncOpenAI:
    http = openai.DefaultAsyncHttpxClient(limits=_limits(connections))
    return AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=_timeout(timeout), http_client=http)


def request(model: str, prompt: str, extra_headers: Optional[dict] = None) -> dict:
    """The arguments of ``chat.completions.create`` for one streamed answer."""
    return {
        'model': model,
        'messages': [{'role': 'user', 'content': prompt}],
        'stream': True,
        'extra_headers': extra_headers or None,
    }


def redact(url: str) -> str:
    """``url`` without credentials, query or fragment: safe for a log line."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ''
        if parts.port:
            host = f'{host}:{parts.port}'
        return urlunsplit((parts.scheme, host, parts.path, '', ''))
    except ValueError:
        return '(unparsable URL)'
