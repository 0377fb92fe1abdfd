#!/usr/bin/env python3
"""Write test/fixtures/python/repr-corpus.jsonl: values as real CPython prints them.

Why: the seed backend sends `str(dict)` (see ../shared/seed/README.md beside this repository), so
parseJsonish must decode exactly what CPython's repr() writes. Rather than
guess repr's quoting and escaping rules, this asks the interpreter. Stdlib
only, seeded, deterministic (string sets depend on the hash seed, so the
script re-runs itself with PYTHONHASHSEED=0).

One JSON object per line (the line itself is ASCII, so lone surrogates survive):
  kind    what the value exercises
  repr    repr(v): the input the seed sends (str() of a container is the same text)
  str     str(v), only for a top-level str: the decoded text itself, an oracle
          that does not go through JSON
  json    json.dumps(j) of the JSON form j of v: also an input (may hold NaN,
          Infinity and integers past 2**53, which parseJsonish accepts)
  json_u  json.dumps(j, ensure_ascii=False), when it differs from json
  expect  the exact expected value, when `json` cannot be read by JSON.parse
          exactly: integers past +/-(2**53 - 1) as {"$int": "digits"}, inf/nan
          as {"$float": "inf" | "-inf" | "nan"}
The JSON form j maps what JSON lacks the way parseJsonish documents it:
tuples and sets become lists, bytes a Latin-1 string, dict keys the names
json.dumps gives them (1 -> "1", True -> "true", None -> "null", inf ->
"Infinity") and a tuple key its repr, "(1, 2)".

Run: python3 scripts/gen-python-fixtures.py
"""

import json
import math
import os
import random
import sys

if os.environ.get("PYTHONHASHSEED") != "0":
    os.execve(sys.executable, [sys.executable] + sys.argv, {**os.environ, "PYTHONHASHSEED": "0"})

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "python", "repr-corpus.jsonl")
SAFE = 2**53 - 1
rng = random.Random(20250614)


# --- the JSON form -----------------------------------------------------------

def key_name(k):
    if isinstance(k, str):
        return k
    if isinstance(k, bytes):
        return k.decode("latin-1")
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, float):
        if math.isnan(k):
            return "NaN"
        if math.isinf(k):
            return "Infinity" if k > 0 else "-Infinity"
    return repr(k)  # int, finite float, tuple: the key as repr() wrote it


def jsonable(v, exact):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"$int": str(v)} if exact and abs(v) > SAFE else v
    if isinstance(v, float):
        if exact and not math.isfinite(v):
            return {"$float": "nan" if math.isnan(v) else "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, (list, tuple, set, frozenset)):
        return [jsonable(x, exact) for x in v]  # a set in repr's (iteration) order
    if isinstance(v, dict):
        return {key_name(k): jsonable(x, exact) for k, x in v.items()}
    raise TypeError(type(v))


def needs_exact(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return abs(v) > SAFE
    if isinstance(v, float):
        return not math.isfinite(v)
    if isinstance(v, (list, tuple, set, frozenset)):
        return any(needs_exact(x) for x in v)
    if isinstance(v, dict):
        return any(needs_exact(x) for x in v.values())
    return False


# --- values ------------------------------------------------------------------

SPECIAL = (
    [chr(c) for c in range(0, 32)]
    + [chr(c) for c in range(127, 161)]
    + ["\u00ad", "\u2028", "\u2029", "\u200b", "\u200c", "\u200d", "\u200e", "\u3000", "\ufeff", "\u0378",
       "\ue000", "\uffff", "\U0010ffff", "\U0001fae8", "\u061c", "\u2060", "\u00a0", "\u1680", "\u2000", "\u202f"]
)
EMOJI = ["😀", "🚀", "👍🏽", "🇨🇳", "👨\u200d💻", "👩\u200d👩\u200d👧", "❤️", "🫨", "𝄞", "𠀀"]
CJK = ["你好", "详解", "一下", "框架", "。", "，", "中文", "日本語", "한국어", "Flask 是"]
SURROGATES = ["\ud83d", "\ude80", "\udfff", "\ud800", "\udc00", "\ude80\ud83d"]
ASCII = [chr(c) for c in range(32, 127)]
POOLS = [ASCII, ASCII, ["'", '"', "\\"], SPECIAL, EMOJI, CJK, SURROGATES, [" ", "\n", "\t"]]


def rand_str(n=None):
    n = rng.randint(0, 12) if n is None else n
    return "".join(rng.choice(rng.choice(POOLS)) for _ in range(n))


def rand_int():
    return rng.choice([
        rng.randint(-1000, 1000),
        rng.randint(-SAFE, SAFE),
        rng.choice([-1, 1]) * rng.randint(SAFE + 1, 2**70),
        rng.choice([-1, 1]) * 2 ** rng.randint(0, 220),
    ])


def rand_float():
    return rng.choice([
        rng.random(),
        rng.uniform(-1e6, 1e6),
        rng.choice([-1, 1]) * 10.0 ** rng.randint(-320, 308) * rng.random(),
        float(rng.randint(-2**60, 2**60)),
        rng.choice([math.inf, -math.inf, math.nan, -0.0, 0.0, 1e16, 1e-7]),
    ])


def rand_key():
    return rng.choice([
        rand_str, rand_str, rand_str, rand_int, rand_float,
        lambda: None, lambda: True, lambda: False,
        lambda: (rand_int(), rand_str(3)), lambda: (), lambda: (rand_int(),),
    ])()


def rand_value(depth=0):
    leaf = rng.random() < 0.45 + depth * 0.15
    if leaf:
        return rng.choice([rand_str, rand_str, rand_int, rand_float, lambda: None, lambda: True, lambda: False,
                           lambda: rand_str().encode("utf-8", "surrogatepass")])()
    n = rng.randint(0, 4)
    kind = rng.choice(["list", "tuple", "dict", "dict", "set"])
    if kind == "list":
        return [rand_value(depth + 1) for _ in range(n)]
    if kind == "tuple":
        return tuple(rand_value(depth + 1) for _ in range(n))
    if kind == "set":
        items = {rng.choice([rand_int, rand_str, lambda: (rand_int(), rand_str(2))])() for _ in range(n)}
        return frozenset(items) if rng.random() < 0.2 else items  # empty: `set()`, `frozenset()`
    return {rand_key(): rand_value(depth + 1) for _ in range(n)}


def seed_event(content, completed=False):
    d = {"content": content, "request_id": "123456789", "userid": "789465"}
    if completed:
        d["status"] = "completed"
    return d


def corpus():
    out = []
    add = lambda kind, v: out.append((kind, v))

    for s in ["", "'", '"', "'s", "it's", 'say "hi"', "both ' and \"", "\\", "\\\\", "\\'", '\\"', "a\\nb",
              "\\x41", "\\u00e9", "'\"'\"", "''", '""', "\\q", "C:\\path\\new", "{'a': 1}", '{"a": 1}', "[DONE]"]:
        add("quote", s)
    for ch in SPECIAL:
        add("control", ch)
        add("control", "a" + ch + "b'\"")
    for s in EMOJI + CJK + [" 👨\u200d💻", "\u3000全角", "\ufeffbom", "line\u2028sep\u2029para", "soft\u00adhy"]:
        add("unicode", s)
    for s in SURROGATES + ["a\ud83d", "\ude80b", "\ud83d\ude80".encode("utf-16", "surrogatepass").decode("utf-16")]:
        add("surrogate", s)
    for n in [0, -1, 1, 42, SAFE, -SAFE, SAFE + 1, -(SAFE + 1), SAFE + 2, 2**64, -(2**64), 2**200, -(2**200),
              10**30, 123456789, 789465]:
        add("int", n)
    for x in [0.0, -0.0, 0.1, 1.5, -2.5, 1e16, 1e-7, 1.5e-07, 1e22, 1e-5, 123456789.123, 5e-324,
              1.7976931348623157e308, 2.0**53, math.pi, math.inf, -math.inf, math.nan]:
        add("float", x)
    for c in [None, True, False]:
        add("const", c)
    add("container", [])
    add("container", ())
    add("container", (1,))
    add("container", (1, 2))
    add("container", ((),))
    add("container", [(1,), [()], {}])
    add("container", {})
    add("container", {"a": [1, (2, 3), {"b": None}], "c": ({"d": True},)})
    add("container", [[[[[[[[[[["deep"]]]]]]]]]]])
    add("keys", {1: "int", None: "none", True: "true", False: "false", 1.5: "float", 1e16: "big float",
                 -0.0: "neg zero", (1, "a"): "tuple", (): "empty tuple", (2,): "one tuple", 2**64: "big int",
                 math.inf: "inf", -math.inf: "-inf", "s": "str"})
    add("keys", {math.nan: 1})
    add("keys", {"__proto__": {"polluted": True}, "constructor": 1, "prototype": 2, "toString": 3})
    add("keys", {1: "int first", "1": "str second"})
    add("set", {1, 2, 3})
    add("set", {"a"})
    add("set", {(1, 2), 3})
    add("set", set())
    add("set", [set(), {"a": set()}])
    add("set", frozenset())
    add("set", frozenset({1, "b"}))
    add("set", {"k": frozenset({(1, 2)})})
    add("bytes", bytes(range(256)))
    add("bytes", b"it's \"quoted\"")
    for tok in ["<think>", "\n", "好的", "'s", " 👨\u200d💻", "", "\n\n", "**", "\\", "\ud83d", "\ude80"]:
        add("seed", seed_event(tok))
    add("seed", seed_event("", True))
    add("seed", seed_event("last token", True))

    for _ in range(1200):
        add("random-str", rand_str(rng.randint(0, 40)))
    for _ in range(1000):
        add("random", rand_value())
    for _ in range(300):
        add("seed", seed_event(rand_str(rng.randint(0, 6)), rng.random() < 0.1))
    return out


def main():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    n = 0
    with open(OUT, "w", encoding="ascii", newline="\n") as f:
        for kind, v in corpus():
            rec = {"kind": kind, "repr": repr(v)}
            if isinstance(v, str):
                rec["str"] = str(v)
            rec["json"] = json.dumps(jsonable(v, False))
            u = json.dumps(jsonable(v, False), ensure_ascii=False)
            if u != rec["json"]:
                rec["json_u"] = u
            if needs_exact(v):
                rec["expect"] = json.dumps(jsonable(v, True), allow_nan=False)
            f.write(json.dumps(rec) + "\n")
            n += 1
    print(f"wrote {n} values to {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes, Python {sys.version.split()[0]})")


main()
