import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sse_reference import parse

# Every plane, controls, CR, LF, NUL and lone surrogates included.
from strategies import any_text

from llm_sse import HEARTBEAT, Event, sse_comment, sse_encode

line = st.text(st.characters(blacklist_characters='\r\n\0', blacklist_categories=('Cs',)), min_size=1)


def expected(text: str) -> str:
    """What the encoder promises to carry: line breaks as LF, lone surrogates as U+FFFD."""
    return re.sub('[\ud800-\udfff]', '\ufffd', re.sub(r'\r\n|\r', '\n', text))


def test_an_event_is_its_fields_then_data_lines_then_a_blank_line():
    wire = sse_encode(Event('a\nb', event='delta', id='s:1', retry=500))
    assert wire == b'event: delta\nid: s:1\nretry: 500\ndata: a\ndata: b\n\n'


def test_empty_data_is_still_an_event():
    events, _ = parse(sse_encode(Event('')))
    assert [e.data for e in events] == ['']


def test_line_breaks_in_event_or_id_and_nul_in_id_are_refused():
    for bad in (Event('x', event='a\nb'), Event('x', id='a\rb'), Event('x', id='a\0b')):
        with pytest.raises(ValueError, match='SSE'):
            sse_encode(bad)


def test_heartbeat_is_a_comment_no_parser_dispatches():
    events, comments = parse(HEARTBEAT + sse_encode(Event('x')) + sse_comment('a\nb'))
    assert [e.data for e in events] == ['x']
    assert comments == ['keep-alive', 'a', 'b']


@given(any_text, st.one_of(st.none(), line), st.one_of(st.none(), line))
def test_any_data_comes_out_of_a_spec_parser_unchanged(data, name, event_id):
    wire = sse_encode(Event(data, event=name, id=event_id))
    wire.decode('utf-8')  # always valid UTF-8
    events, _ = parse(wire)
    assert len(events) == 1
    assert events[0].data == expected(data)
    assert events[0].event == (name or 'message')
    assert events[0].id == (event_id or '')


@given(st.lists(any_text, max_size=8))
def test_a_sequence_of_events_keeps_its_boundaries(datas):
    wire = b''.join(sse_encode(Event(d)) for d in datas)
    events, _ = parse(wire)
    assert [e.data for e in events] == [expected(d) for d in datas]
