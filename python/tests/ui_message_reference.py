"""A reading of the AI SDK's UI-message stream written from its documentation, to check the encoder against.

Sources: the AI SDK's "Stream Protocols" page (``content/docs/04-ai-sdk-ui/
50-stream-protocol.mdx``) and the chunk shapes in ``ui-message-chunks.ts``:
SSE events of one JSON chunk each, ``data: [DONE]`` last; ``start`` first;
text and reasoning deltas only between a ``*-start`` and ``*-end`` of the
same id; tool input deltas only after ``tool-input-start`` of their call;
tool outputs only for a call whose input is known; ``finish`` last before
``[DONE]`` (unless an ``error`` ended the stream).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from sse_reference import parse


class ProtocolError(AssertionError):
    pass


@dataclass
class Message:
    message_id: Optional[str] = None
    #: ('text' | 'reasoning', text) runs and ('tool', call) entries, in stream order.
    parts: list[Any] = field(default_factory=list)
    finish_reason: Optional[str] = None
    metadata: Any = None
    error: Optional[str] = None
    steps: int = 0


def decode(body: bytes) -> Message:
    events, _ = parse(body)
    if not events or events[-1].data != '[DONE]':
        raise ProtocolError('the stream must end with data: [DONE]')
    msg = Message()
    open_runs: dict[str, tuple[str, list[str]]] = {}
    tools: dict[str, dict[str, Any]] = {}
    started = finished = in_step = False
    for ev in events[:-1]:
        if ev.data == '[DONE]':
            raise ProtocolError('[DONE] before the end')
        chunk = json.loads(ev.data)
        kind = chunk['type']
        if finished or msg.error is not None:
            raise ProtocolError(f'{kind} after finish or error')
        if kind == 'error':
            msg.error = chunk['errorText']
            continue
        if kind == 'start':
            if started:
                raise ProtocolError('second start')
            started = True
            msg.message_id = chunk.get('messageId')
            msg.metadata = chunk.get('messageMetadata')
            continue
        if not started:
            raise ProtocolError(f'{kind} before start')
        if kind == 'start-step':
            if in_step:
                raise ProtocolError('start-step inside a step')
            in_step = True
            msg.steps += 1
        elif kind == 'finish-step':
            if not in_step or open_runs:
                raise ProtocolError('finish-step outside a step or with a run open')
            in_step = False
        elif kind in ('text-start', 'reasoning-start'):
            if chunk['id'] in open_runs:
                raise ProtocolError('id started twice')
            run: tuple[str, list[str]] = (kind.split('-')[0], [])
            open_runs[chunk['id']] = run
            msg.parts.append(run)
        elif kind in ('text-delta', 'reasoning-delta'):
            run = open_runs.get(chunk['id'])
            if run is None or run[0] != kind.split('-')[0]:
                raise ProtocolError(f'{kind} without its start')
            if not isinstance(chunk['delta'], str):
                raise ProtocolError('delta must be a string')
            run[1].append(chunk['delta'])
        elif kind in ('text-end', 'reasoning-end'):
            if chunk['id'] not in open_runs:
                raise ProtocolError(f'{kind} without its start')
            del open_runs[chunk['id']]
        elif kind == 'tool-input-start':
            call = {
                'id': chunk['toolCallId'],
                'name': chunk['toolName'],
                'text': [],
                'input': None,
                'state': 'streaming',
            }
            tools[call['id']] = call
            msg.parts.append(('tool', call))
        elif kind == 'tool-input-delta':
            tools[chunk['toolCallId']]['text'].append(chunk['inputTextDelta'])
        elif kind in ('tool-input-available', 'tool-input-error'):
            call = tools.setdefault(chunk['toolCallId'], {'id': chunk['toolCallId'], 'text': []})
            call.update(name=chunk['toolName'], input=chunk['input'], state=kind[11:])
        elif kind in ('tool-output-available', 'tool-output-error'):
            call = tools.get(chunk['toolCallId'])
            if call is None or call['state'] == 'streaming':
                raise ProtocolError('tool output before its input')
            call['state'] = kind[5:]
            call['output'] = chunk.get('output', chunk.get('errorText'))
        elif kind == 'finish':
            if in_step or open_runs:
                raise ProtocolError('finish with a step or run open')
            finished = True
            msg.finish_reason = chunk.get('finishReason')
            if 'messageMetadata' in chunk:
                msg.metadata = chunk['messageMetadata']
        elif not kind.startswith('data-'):
            raise ProtocolError(f'unknown chunk {kind}')
    if not finished and msg.error is None:
        raise ProtocolError('neither finish nor error before [DONE]')
    for call in tools.values():
        call['text'] = ''.join(call['text'])
    msg.parts = [(p[0], ''.join(p[1])) if p[0] != 'tool' else ('tool', p[1]) for p in msg.parts]
    return msg
