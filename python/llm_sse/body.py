"""Request bodies from anyone: bounded in size, decoded without a 500 on hostile JSON."""

from __future__ import annotations

import json
from typing import Any

from .failure import Failure

#: Default largest request body, in bytes: far above any chat prompt, far
#: below what would let one request hold a worker's memory.
MAX_BODY_BYTES = 1 << 20


class BodyError(Exception):
    """A request body the server will not read; ``status`` is 400 or 413, ``message`` safe to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def failure(self) -> Failure:
        """As a JSON error: type ``body_too_large`` (413) or ``bad_request``."""
        return Failure(self.status, 'body_too_large' if self.status == 413 else 'bad_request', self.message)


def parse_json_body(raw: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """The JSON value of ``raw``, or ``None`` for an empty body.

    Raises :class:`BodyError`: 413 over ``max_bytes``; 400 for a body that is
    not UTF-8 JSON, or nested so deeply that the decoder gives up (Python's
    ``json`` raises ``RecursionError`` there, which is not a ``ValueError``
    and became an HTML 500 in handlers that only caught that).
    """
    if len(raw) > max_bytes:
        raise BodyError(413, f'the request body is larger than {max_bytes} bytes')
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except RecursionError:
        raise BodyError(400, 'the request body is JSON nested too deeply') from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise BodyError(400, 'the request body must be JSON like {"prompt": "..."}') from None
