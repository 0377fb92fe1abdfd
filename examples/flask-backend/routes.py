"""What the two reference backends' stream routes decide, whatever the framework.

``app.py`` (Flask) and ``../fastapi-backend/app.py`` only read the request,
call the framework's adapter (``llm_sse.flask`` or ``llm_sse.starlette``)
and return its response.
"""

import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

import chat
from llm_sse import Answer
from llm_sse.ai_sdk import ChatRequest, chat_request
from settings import USERID, Config, fault_headers
from stats import Stats, after_event


def answer_options(config: Config, request_id: str, prompt: str, stats: Stats) -> dict:
    """The keywords of the adapter's ``stream`` for one answer without resumable mode."""

    def on_complete(answer: Answer) -> None:
        after_event({'request_id': request_id, 'prompt': prompt, 'text': answer.text, 'reasoning': answer.reasoning})

    return {
        'stream_id': request_id,
        'format': config.format,
        'meta': {'request_id': request_id, 'userid': USERID},
        # The tutorial's repr clients read the last dict again with the status
        # (the SDK knows not to append it); JSON clients get an empty content.
        'repeat_last': config.format == 'repr',
        'heartbeat': config.heartbeat,
        'on_complete': on_complete,
        'on_end': stats.ended,
        'headers': {'X-Request-Id': request_id},
    }


def resumable_saved(stats: Stats, prompt: str) -> Callable[[dict], None]:
    """``on_complete`` of a resumable answer: counted here (its reader may be on another worker), then saved."""
    return lambda record: (stats.completed_one(), after_event(dict(record, prompt=prompt)))


@dataclass
class ChatPlan:
    """One ``/api/chat`` request: useChat's request (ai-sdk format), the tool loop's keywords, the response headers."""

    use_chat: Optional[ChatRequest]
    request_id: str
    headers: dict
    options: dict


def chat_plan(config: Config, body: Any, request_headers: Mapping[str, str], stats: Stats, resumable: bool) -> ChatPlan:
    """Its body: ``{"messages": [...]}`` (createChat), or useChat's ``{"id", "messages": [UIMessage]}`` in ai-sdk format."""
    use_chat = chat_request(body) if config.format == 'ai-sdk' else None
    messages = use_chat.messages if use_chat else chat.read_messages(body)
    request_id = str(uuid.uuid4())

    def saved(record: dict) -> None:
        if resumable:
            stats.completed_one()
        after_event(record)

    options = chat.loop_options(config, messages, request_id, fault_headers(config, request_headers), saved)
    return ChatPlan(use_chat, request_id, {'X-Request-Id': request_id}, options)
