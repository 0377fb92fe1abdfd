"""The AI SDK's ``useChat`` on a Python backend: its request in, its UI-message stream out.

- ``llm_sse.events(upstream, format='ai-sdk')`` (and every adapter's
  ``format='ai-sdk'``): the UI-message stream, ``data: [DONE]`` last.
- :func:`chat_request`: the ``useChat`` body checked and mapped to OpenAI
  chat messages (``llm_sse.ai_sdk.flask.read_chat``,
  ``llm_sse.ai_sdk.starlette.read_chat`` read it from the request).
- ``ChatStreams`` / ``AsyncChatStreams``: resumable answers, so
  ``useChat({ resume: true })`` continues the active answer after a reload.

See ``docs/ai-sdk.md`` in the repository.
"""

from .active import (
    ActiveStreams,
    AsyncActiveStreams,
    MemoryActiveStreams,
    active_streams_for,
    async_active_streams_for,
)
from .chunks import DONE, Chunks, finish_reason
from .encode import UIMessageBuilder, message_id
from .request import MAX_MESSAGES, MAX_PARTS, ChatRequest, chat_request, valid_chat_id

__all__ = [
    'DONE',
    'MAX_MESSAGES',
    'MAX_PARTS',
    'ActiveStreams',
    'AsyncActiveStreams',
    'ChatRequest',
    'Chunks',
    'MemoryActiveStreams',
    'UIMessageBuilder',
    'active_streams_for',
    'async_active_streams_for',
    'chat_request',
    'finish_reason',
    'message_id',
    'valid_chat_id',
]
