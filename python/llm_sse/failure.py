"""What a failed generation tells the browser, and what it keeps for the log.

An upstream's own error text may hold secrets (an upstream 401 echoes
``Incorrect API key provided: sk-...``), internal host names (a connection
error names the address it tried) or parser internals (``JSONDecodeError:
Expecting value: line 1 column 2``). None of it goes to the client: it gets
a fixed message per kind of failure and the request id, and the details go
to the server log under that id.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Optional

log = logging.getLogger('llm_sse')


class Truncated(Exception):
    """The upstream body ended cleanly but the model never finished (no ``finish_reason``)."""


class UpstreamFailed(Exception):
    """Reading the upstream raised ``cause``: an upstream fault, not a bug of the server."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f'{type(cause).__name__}: {cause}')
        self.cause = cause


@dataclass(frozen=True)
class Failure:
    """A generation that failed, as the client sees it.

    ``status``: the HTTP status when nothing was sent yet (502 for the
    upstream, 504 for its timeout, 500 for this server). ``type``: a stable
    code to switch on. ``message``: fixed text that says what happened
    without the upstream's details. ``upstream_status``: the HTTP status the
    upstream answered, if it answered one.
    """

    status: int
    type: str
    message: str
    request_id: str = ''
    upstream_status: Optional[int] = None

    def body(self) -> dict[str, Any]:
        """``{"error": {"message", "type", "request_id", "upstream_status"?}}``."""
        error: dict[str, Any] = {'message': self.message, 'type': self.type}
        if self.request_id:
            error['request_id'] = self.request_id
        if self.upstream_status is not None:
            error['upstream_status'] = self.upstream_status
        return {'error': error}

    def json(self) -> str:
        """:meth:`body` as one line of JSON (ASCII only, so any transport carries it)."""
        return json.dumps(self.body())


def _openai_failure(error: BaseException) -> Optional[Failure]:
    try:
        import openai
    except ImportError:  # the kit works without the openai package
        return None
    if isinstance(error, openai.APITimeoutError):
        return Failure(504, 'upstream_timeout', 'the upstream LLM server did not answer in time')
    if isinstance(error, openai.APIConnectionError):
        return Failure(502, 'upstream_connection', 'the connection to the upstream LLM server failed')
    if isinstance(error, openai.APIStatusError):
        return Failure(
            502,
            'upstream_error',
            f'the upstream LLM server answered HTTP {error.status_code}',
            upstream_status=error.status_code,
        )
    if isinstance(error, openai.APIError):
        return Failure(502, 'upstream_error', 'the upstream LLM server reported an error')
    return None


def describe(error: BaseException, request_id: str = '') -> Failure:
    """The client's view of ``error``; logs the details (message, traceback) under ``request_id``."""
    cause = error.cause if isinstance(error, UpstreamFailed) else error
    failure = _openai_failure(cause)
    if failure is None:
        if isinstance(cause, Truncated):
            failure = Failure(502, 'upstream_truncated', 'the upstream LLM server ended the answer before it finished')
        elif isinstance(cause, TimeoutError):
            failure = Failure(504, 'upstream_timeout', 'the upstream LLM server did not answer in time')
        elif isinstance(error, UpstreamFailed):
            failure = Failure(502, 'upstream_error', 'the upstream LLM server sent a stream that could not be read')
        else:
            failure = Failure(500, 'internal_error', 'the server failed while generating the answer')
    log.warning(
        'generation %s failed (%s): %s: %s',
        request_id or '-',
        failure.type,
        type(cause).__name__,
        cause,
        exc_info=cause if failure.type == 'internal_error' else None,
    )
    return Failure(failure.status, failure.type, failure.message, request_id, failure.upstream_status)
