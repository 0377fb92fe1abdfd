"""llm-sse: stream an OpenAI-compatible LLM answer to the browser as correct Server-Sent Events.

The core is framework-free: :func:`events` / :func:`aevents` turn an upstream
(the ``openai`` client's stream, or any iterator of strings) into
:class:`Event` values, and :func:`sse_encode` writes one. The adapters in
``llm_sse.flask`` and ``llm_sse.starlette`` (FastAPI) send them as a
response, with heartbeats and a JSON error when the upstream fails before
the first token.
"""

from .body import MAX_BODY_BYTES, BodyError, parse_json_body
from .event import HEARTBEAT, MEDIA_TYPE, STREAM_HEADERS, Event, sse_comment, sse_encode
from .failure import Failure, Truncated, UpstreamFailed, describe
from .generation import Answer, aclose, aevents, event_id, events, new_stream_id, parse_event_id
from .no_resume import NOT_RESUMABLE, asks_resume
from .payload import FORMATS, Format, dumper, dumps_json, dumps_repr
from .pump import END, IDLE, Outcome, Pump, outcome_of, start_pump
from .tool_calls import ToolCall
from .upstream import Piece, Reader, ToolCallDelta, interrupt

__all__ = [
    'END',
    'FORMATS',
    'HEARTBEAT',
    'IDLE',
    'MAX_BODY_BYTES',
    'MEDIA_TYPE',
    'NOT_RESUMABLE',
    'STREAM_HEADERS',
    'Answer',
    'BodyError',
    'Event',
    'Failure',
    'Format',
    'Outcome',
    'Piece',
    'Pump',
    'Reader',
    'ToolCall',
    'ToolCallDelta',
    'Truncated',
    'UpstreamFailed',
    'aclose',
    'aevents',
    'asks_resume',
    'describe',
    'dumper',
    'dumps_json',
    'dumps_repr',
    'event_id',
    'events',
    'interrupt',
    'new_stream_id',
    'outcome_of',
    'parse_event_id',
    'parse_json_body',
    'sse_comment',
    'sse_encode',
    'start_pump',
]
