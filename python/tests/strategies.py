"""Token text for property tests: every plane, weighted toward what breaks SSE and payload encoders."""

from hypothesis import strategies as st

NASTY = [
    '\r',
    '\n',
    '\r\n',
    '\ud83d',
    '\ude00',
    '\udfff',
    "'",
    '"',
    '\\',
    '\0',
    '\x85',
    '\u2028',
    '\ufeff',
    '😀',
    '你',
    'data: ',
    ':',
]
any_char = st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
_piece = st.one_of(any_char, st.sampled_from(NASTY))
any_text = st.lists(_piece).map(''.join)
any_token = st.lists(_piece, min_size=1).map(''.join)


def utf16(text: str) -> str:
    """``text`` as JavaScript holds it: a high and a low surrogate next to each other are one character.

    Python keeps ``'\\ud800\\udc00'`` as two code points; JSON has one spelling
    for both (``\\ud800\\udc00``), and every JSON decoder reads it as U+10000.
    """
    return text.encode('utf-16-le', 'surrogatepass').decode('utf-16-le', 'surrogatepass')
