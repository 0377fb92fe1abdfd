"""The ``/api/chat`` route's parts, shared by both backends: the request's messages and the demo tool.

``POST /api/chat`` with ``{"messages": [...]}`` (OpenAI chat messages, what
``createChat()`` sends by default) streams the answer of a server-side tool
loop (``llm_sse.tools``): the model may call ``get_time``, the server runs
it, and the model answers, all in one stream.
"""

from datetime import datetime, timezone
from typing import Any, Callable, List, Optional
from zoneinfo import ZoneInfo

from llm_sse import Answer, BodyError
from llm_sse.tools import Tool
from settings import USERID, Config

#: Most messages one request may hold (the body size is capped too).
MAX_MESSAGES = 200
#: Most generations per answer: each step is a paid request to the model.
MAX_STEPS = 5

_ROLES = ('system', 'user', 'assistant', 'tool')
# What the upstream gets of each message; anything else a page sends is dropped.
_KEYS = ('role', 'content', 'tool_calls', 'tool_call_id', 'name')


def read_messages(body: Any) -> List[dict]:
    """The conversation from a request body; raises ``BodyError`` (400) for anything else."""
    messages = body.get('messages') if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages:
        raise BodyError(400, '"messages" must be a non-empty list of chat messages')
    if len(messages) > MAX_MESSAGES:
        raise BodyError(400, f'"messages" holds more than {MAX_MESSAGES} messages')
    out = []
    for m in messages:
        if not isinstance(m, dict) or m.get('role') not in _ROLES:
            raise BodyError(400, f'every message needs a "role" among {", ".join(_ROLES)}')
        content = m.get('content')
        if content is not None and not isinstance(content, (str, list)):
            raise BodyError(400, 'a message "content" must be a string or a list of parts')
        out.append({k: m[k] for k in _KEYS if k in m})
    if not any(m['role'] == 'user' for m in out):
        raise BodyError(400, '"messages" must hold a message with role "user"')
    return out


def last_user_text(messages: List[dict]) -> str:
    """The last question, for the log and the saved answer."""
    content = next(m.get('content') for m in reversed(messages) if m['role'] == 'user')
    if isinstance(content, list):
        return ''.join(p.get('text', '') for p in content if isinstance(p, dict) and isinstance(p.get('text'), str))
    return content if isinstance(content, str) else ''


def get_time(args: Any) -> dict:
    """The current date and time in a time zone (UTC by default)."""
    name = args.get('timezone') if isinstance(args, dict) else None
    # An unknown zone raises: the model and the page get "the tool failed", the log the zone.
    zone = ZoneInfo(name) if isinstance(name, str) and name else timezone.utc
    return {'timezone': str(zone), 'time': datetime.now(zone).isoformat(timespec='seconds')}


TOOLS = {
    'get_time': Tool(
        get_time,
        'The current date and time in a time zone.',
        {
            'type': 'object',
            'properties': {'timezone': {'type': 'string', 'description': 'An IANA time zone such as Europe/Paris; default UTC'}},
        },
    )
}


def loop_options(
    config: Config, messages: List[dict], request_id: str, extra_headers: Optional[dict], saved: Callable[[dict], None]
) -> dict:
    """The keywords of ``tools.run`` / ``tools.arun`` for one request (all but the client and the stream id).

    ``saved`` gets the complete answer as the tutorial's "save to database" record.
    """

    def on_complete(answer: Answer) -> None:
        saved({'request_id': request_id, 'prompt': last_user_text(messages), 'text': answer.text, 'reasoning': answer.reasoning})

    return {
        'messages': messages,
        'model': config.model,
        'tools': TOOLS,
        'max_steps': MAX_STEPS,
        'format': config.format,
        'meta': {'request_id': request_id, 'userid': USERID},
        'on_complete': on_complete,
        'extra_headers': extra_headers,
    }
