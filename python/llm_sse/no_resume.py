"""A stream that cannot be resumed says so, instead of starting over.

Without a store (``llm_sse.resume``) a generation lives only as long as its
request, yet its events still carry ids. A client that lost the connection
comes back with ``Last-Event-ID`` (or ``?lastEventId=``, for
``EventSource``); starting a new generation for it would bill the answer a
second time and show it twice, after the part the client already has. The
route refuses such a request before it opens the upstream.
"""

from __future__ import annotations

from typing import Optional

from .failure import Failure

#: The refusal: 409, a generic message and a stable type to switch on.
#: Clients do not retry a 409 (it is not a transient failure).
NOT_RESUMABLE = Failure(409, 'not_resumable', 'this stream cannot be resumed; start a new request')


def asks_resume(header: Optional[str], query: Optional[str]) -> bool:
    """Whether a request with this ``Last-Event-ID`` header and ``lastEventId`` query parameter asks to resume.

    An empty value asks nothing: ``EventSource`` sends ``Last-Event-ID``
    only once it saw an id, and an empty one means "no id yet".
    """
    return bool(header and header.strip()) or bool(query and query.strip())
