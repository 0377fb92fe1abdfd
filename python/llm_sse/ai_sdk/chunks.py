"""The AI SDK's UI-message stream: the chunks one generation becomes.

``useChat`` (``@ai-sdk/react``, ``@ai-sdk/vue``, ``@ai-sdk/svelte``) reads
this protocol: one JSON chunk per SSE event, ``data: [DONE]`` last, and the
response header ``x-vercel-ai-ui-message-stream: v1``. The chunk shapes are
those of ``packages/ai/src/ui-message-stream/ui-message-chunks.ts`` in
vercel/ai (``ai`` 7, see ``docs/ai-sdk.md`` for the version followed).

:class:`Chunks` keeps the protocol's order rules in one place, whatever
produces the pieces (one generation, or the steps of a tool loop):

- ``start`` (with ``messageId``) before anything else, sent with the first
  piece, so an upstream that fails before its first token still gets a
  JSON error with a real HTTP status instead of a stream;
- ``start-step`` … ``finish-step`` around each model call;
- a text, reasoning or tool-input run opened (``*-start``, with an id) before
  its first delta and closed (``*-end``) before another kind begins, since
  the client refuses a delta whose start it has not seen;
- ``finish`` (with ``finishReason`` and ``messageMetadata``), then
  ``[DONE]``; after a failure ``error`` (a fixed message: the details are
  in the server log), then ``[DONE]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Optional

from ..payload import dumps_json

#: The last event of every UI-message stream.
DONE = '[DONE]'

# OpenAI's finish reasons as the AI SDK spells them (its FinishReason type).
_FINISH = {'stop': 'stop', 'length': 'length', 'content_filter': 'content-filter', 'tool_calls': 'tool-calls'}


def finish_reason(reason: Optional[str]) -> str:
    """The AI SDK's ``finishReason`` for an OpenAI ``finish_reason`` (``None``: a plain string upstream, ``stop``)."""
    if reason is None:
        return 'stop'
    return _FINISH.get(reason, 'other')


class Chunks:
    """Builds the chunk dicts of one UI message, in protocol order.

    Every method returns the chunks to send now (possibly none), as JSON
    strings. ``message_id``: the assistant message's id (``start``).
    ``metadata``: ``messageMetadata`` of ``start`` and ``finish``.
    """

    def __init__(self, message_id: str, metadata: Optional[Mapping[str, Any]] = None) -> None:
        self.message_id = message_id
        self.metadata = dict(metadata) if metadata else None
        self.started = False
        self.in_step = False
        # The open run: ('text' | 'reasoning', id), or None.
        self.open: Optional[tuple[str, str]] = None
        # Tool calls whose input is streaming: call id -> (name, input text so far).
        self.inputs: dict[str, tuple[str, list[str]]] = {}
        self.n = 0

    def _id(self, kind: str) -> str:
        self.n += 1
        return f'{kind}-{self.n}'

    def _begin(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if not self.started:
            self.started = True
            start: dict[str, Any] = {'type': 'start', 'messageId': self.message_id}
            if self.metadata is not None:
                start['messageMetadata'] = self.metadata
            out.append(start)
        if not self.in_step:
            self.in_step = True
            out.append({'type': 'start-step'})
        return out

    def _close_run(self) -> list[dict[str, Any]]:
        if self.open is None:
            return []
        kind, run_id = self.open
        self.open = None
        return [{'type': f'{kind}-end', 'id': run_id}]

    def delta(self, kind: str, text: str) -> list[dict[str, Any]]:
        """``kind`` is ``'text'`` or ``'reasoning'``: its ``-delta``, after a ``-start`` when a new run begins."""
        if not text:
            return []
        out = self._begin()
        if self.open is None or self.open[0] != kind:
            out += self._close_run()
            self.open = (kind, self._id(kind))
            out.append({'type': f'{kind}-start', 'id': self.open[1]})
        out.append({'type': f'{kind}-delta', 'id': self.open[1], 'delta': text})
        return out

    def tool_input(self, call_id: str, name: str, delta: str) -> list[dict[str, Any]]:
        """A piece of a tool call's arguments; ``tool-input-start`` before the call's first piece."""
        out = self._begin()
        if call_id not in self.inputs:
            out += self._close_run()
            self.inputs[call_id] = (name, [])
            out.append({'type': 'tool-input-start', 'toolCallId': call_id, 'toolName': name})
        if delta:
            self.inputs[call_id][1].append(delta)
            out.append({'type': 'tool-input-delta', 'toolCallId': call_id, 'inputTextDelta': delta})
        return out

    def tool_inputs_done(self) -> list[dict[str, Any]]:
        """Every streaming call is whole: ``tool-input-available`` with the parsed input,
        or ``tool-input-error`` when the model's arguments are not JSON."""
        out = self._close_run()
        for call_id, (name, parts) in self.inputs.items():
            text = ''.join(parts)
            try:
                value = json.loads(text) if text.strip() else {}
            except (ValueError, RecursionError):
                out.append(
                    {
                        'type': 'tool-input-error',
                        'toolCallId': call_id,
                        'toolName': name,
                        'input': text,
                        'errorText': 'the tool arguments are not valid JSON',
                    }
                )
                continue
            out.append({'type': 'tool-input-available', 'toolCallId': call_id, 'toolName': name, 'input': value})
        self.inputs.clear()
        return out

    def tool_output(self, call_id: str, output: Any = None, error: Optional[str] = None) -> list[dict[str, Any]]:
        """The result of a tool the server ran: ``tool-output-available``, or ``tool-output-error``.

        The calls' inputs are whole by then (``tool-input-available`` first):
        the client refuses an output for a call whose input it does not have.
        """
        out = self._begin() + self.tool_inputs_done()
        if error is not None:
            out.append({'type': 'tool-output-error', 'toolCallId': call_id, 'errorText': error})
        else:
            out.append({'type': 'tool-output-available', 'toolCallId': call_id, 'output': output})
        return out

    def data(self, name: str, value: Any) -> list[dict[str, Any]]:
        """A named JSON part (``data-<name>``)."""
        return [*self._begin(), {'type': f'data-{name}', 'data': value}]

    def end_step(self) -> list[dict[str, Any]]:
        """Close the open run and the step (before the next model call of a tool loop)."""
        out = self.tool_inputs_done() if self.inputs else self._close_run()
        if self.in_step:
            self.in_step = False
            out.append({'type': 'finish-step'})
        return out

    def finish(self, reason: Optional[str], usage: Optional[Mapping[str, Any]] = None) -> list[dict[str, Any]]:
        """The whole message: closes what is open, then ``finish``."""
        out = self._begin() if not self.started else []
        out += self.end_step()
        chunk: dict[str, Any] = {'type': 'finish', 'finishReason': finish_reason(reason)}
        metadata = dict(self.metadata or {})
        if usage is not None:
            metadata['usage'] = dict(usage)
        if metadata:
            chunk['messageMetadata'] = metadata
        out.append(chunk)
        return out

    def error(self, message: str) -> list[dict[str, Any]]:
        """A failure: ``error`` with a message safe to show (never the upstream's own text)."""
        return [{'type': 'error', 'errorText': message}]


def dump(chunk: Mapping[str, Any]) -> str:
    """One chunk as its event's data (one line of JSON, lone surrogates escaped)."""
    return dumps_json(chunk)
