"""chat_request: the body useChat sends, checked field by field and mapped to OpenAI chat messages."""

from __future__ import annotations

import pytest

from llm_sse import BodyError
from llm_sse.ai_sdk import MAX_MESSAGES, chat_request


def user(text: str, *extra: dict) -> dict:
    return {'id': 'u1', 'role': 'user', 'parts': [{'type': 'text', 'text': text}, *extra]}


def test_the_default_usechat_body_maps_text_parts_to_chat_messages():
    req = chat_request(
        {
            'id': 'chat-1',
            'trigger': 'submit-message',
            'messageId': None,
            'messages': [
                user('Hi'),
                {'id': 'a1', 'role': 'assistant', 'parts': [
                    {'type': 'step-start'}, {'type': 'reasoning', 'text': 'hmm'}, {'type': 'text', 'text': 'Hello!'},
                ]},
                user('How are you?'),
            ],
            'sessionId': 'extra field from useChat({ body })',
        },
        system='Be brief.',
    )  # fmt: skip
    assert req.id == 'chat-1' and req.trigger == 'submit-message' and req.message_id is None
    assert req.messages == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'Hi'},
        {'role': 'assistant', 'content': 'Hello!'},
        {'role': 'user', 'content': 'How are you?'},
    ]
    assert req.body['sessionId'] == 'extra field from useChat({ body })'


def test_image_files_become_image_url_parts_and_pdfs_file_data():
    png = {'type': 'file', 'mediaType': 'image/png', 'url': 'data:image/png;base64,AAAA', 'filename': 'a.png'}
    pdf = {
        'type': 'file',
        'mediaType': 'application/pdf',
        'url': 'data:application/pdf;base64,JVBE',
        'filename': 'a.pdf',
    }
    req = chat_request({'id': 'c', 'messages': [user('look', png, pdf)]})
    assert req.messages == [
        {
            'role': 'user',
            'content': [
                {'type': 'text', 'text': 'look'},
                {'type': 'image_url', 'image_url': {'url': 'data:image/png;base64,AAAA'}},
                {'type': 'file', 'file': {'file_data': 'data:application/pdf;base64,JVBE', 'filename': 'a.pdf'}},
            ],
        }
    ]


def test_tool_parts_with_results_become_tool_calls_and_tool_messages_per_step():
    assistant = {
        'id': 'a1',
        'role': 'assistant',
        'parts': [
            {'type': 'step-start'},
            {'type': 'text', 'text': 'Checking.'},
            {'type': 'tool-get_time', 'toolCallId': 'c1', 'state': 'output-available', 'input': {'tz': 'UTC'},
             'output': {'time': '12:00'}},
            {'type': 'dynamic-tool', 'toolName': 'lookup', 'toolCallId': 'c2', 'state': 'output-error',
             'input': {}, 'errorText': 'boom'},
            {'type': 'tool-pending', 'toolCallId': 'c3', 'state': 'input-available', 'input': {}},
            {'type': 'step-start'},
            {'type': 'text', 'text': 'It is noon.'},
        ],
    }  # fmt: skip
    req = chat_request({'id': 'c', 'messages': [user('time?'), assistant]})
    assert req.messages[1:] == [
        {
            'role': 'assistant',
            'content': 'Checking.',
            'tool_calls': [
                {'id': 'c1', 'type': 'function', 'function': {'name': 'get_time', 'arguments': '{"tz": "UTC"}'}},
                {'id': 'c2', 'type': 'function', 'function': {'name': 'lookup', 'arguments': '{}'}},
            ],
        },
        {'role': 'tool', 'tool_call_id': 'c1', 'content': '{"time": "12:00"}'},
        {'role': 'tool', 'tool_call_id': 'c2', 'content': 'boom'},
        {'role': 'assistant', 'content': 'It is noon.'},
    ]


@pytest.mark.parametrize(
    ('body', 'field'),
    [
        ([], 'the request body must be a JSON object'),
        ({'messages': [user('x')]}, '"id"'),
        ({'id': 'a/b', 'messages': [user('x')]}, '"id"'),
        ({'id': 'c'}, '"messages"'),
        ({'id': 'c', 'messages': []}, '"messages"'),
        ({'id': 'c', 'messages': [user('x')], 'trigger': 'delete-everything'}, '"trigger"'),
        ({'id': 'c', 'messages': [user('x')], 'messageId': 5}, '"messageId"'),
        ({'id': 'c', 'messages': ['hi']}, '"messages[0]"'),
        ({'id': 'c', 'messages': [{'role': 'tool', 'parts': []}]}, '"messages[0].role"'),
        ({'id': 'c', 'messages': [{'role': 'system', 'parts': []}]}, '"messages[0].role"'),
        ({'id': 'c', 'messages': [{'role': 'user', 'content': 'old v4 shape'}]}, '"messages[0].parts"'),
        ({'id': 'c', 'messages': [{'role': 'user', 'parts': [{'type': 'text', 'text': 1}]}]}, '"messages[0].parts[0].text"'),
        ({'id': 'c', 'messages': [{'role': 'user', 'parts': ['x']}]}, '"messages[0].parts[0]"'),
        ({'id': 'c', 'messages': [user('x', {'type': 'file', 'mediaType': 'image/png', 'url': 'javascript:x'})]},
         '"messages[0].parts[1].url"'),
        ({'id': 'c', 'messages': [user('x', {'type': 'file', 'mediaType': 'application/zip', 'url': 'data:,'})]},
         '"messages[0].parts[1].mediaType"'),
        ({'id': 'c', 'messages': [user('x')] * (MAX_MESSAGES + 1)}, '"messages"'),
    ],
)  # fmt: skip
def test_a_bad_body_is_a_400_that_names_the_field(body, field):
    with pytest.raises(BodyError) as caught:
        chat_request(body)
    assert caught.value.status == 400
    assert field in caught.value.message


def test_system_messages_from_the_page_only_when_allowed():
    body = {'id': 'c', 'messages': [{'role': 'system', 'parts': [{'type': 'text', 'text': 'You are a pirate.'}]}]}
    assert chat_request(body, allow_system=True).messages == [{'role': 'system', 'content': 'You are a pirate.'}]
