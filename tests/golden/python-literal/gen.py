"""Golden cases for src/data/formats/python-literal.ts: what ast.literal_eval makes of each source.

Run with /usr/bin/python3 (any Python 3.8+): writes cases.json next to this file. Values are
tagged so the TypeScript test can rebuild them exactly: {"int": "123"}, {"float": "1e+400"},
{"bytes": [..]}, {"list": [..]}, {"tuple": [..]}, {"dict": [[k, v], ..]}, {"set": [..]};
str, bool and None are plain JSON. A source Python rejects gets {"error": "<Type>: <message>"}.
"""
import ast
import json
import os
import re

CASES = [
    # strings, quotes, prefixes, concatenation
    "'a'", '"a"', "'''tri\nple'''", '"""x"y""z"""', "'it\\'s'", '"say \\"hi\\""', "'a' 'b'", "'a' \"b\" '''c'''",
    "r'\\n'", "R'\\d+'", "r'a\\'b'", "u'x'", "U'x'", "b'ab'", "B'\\x00\\xff'", "rb'\\x00'", "Br'\\n'", "b'a' b'b'",
    "'\\n\\t\\\\\\r\\a\\b\\f\\v'", "'\\x41\\u00e9\\U0001F600'", "'\\101\\7\\777'", "b'\\101\\777'", "'\\q\\d'",
    "'line\\\ncontinued'", "'\\ud83d'", "'é and 😀'", "''", '""', "''''''",
    "b'\\u1234'",
    # numbers
    "0", "00", "7", "-7", "+7", "- 7", "1_000_000", "0x_ff", "0XFF", "0o17", "0b1011", "-0b1",
    "1.5", "-1.5", "1.", ".5", "1e3", "1E-3", "1.e5", "1_0.0_1", "1e400", "-1e400", "0.1",
    "123456789012345678901234567890", "-123456789012345678901234567890", "9007199254740993",
    # constants
    "True", "False", "None",
    # containers
    "[]", "[1]", "[1,]", "[1, 2, 3]", "[[1, [2]], []]", "()", "(1)", "(1,)", "(1, 2)", "((1, 2), (3,))",
    "{}", "{'a': 1}", "{'a': 1, 'b': [2, 3],}", "{'a': 1, 'a': 2}", "{1: 'one', 'two': 2}", "{'n': {'m': None}}",
    "{1}", "{'x'}", "1, 2", "1,", "[1,\n 2,\n 3]", "{'a': 1  # comment\n}", "  [1]", "\n[1]\n", "[1] # trailing",
    "[{'role': 'user', 'content': 'Transcribe the audio clip into text.'}, {'role': 'assistant', 'content': \"It's fine\"}]",
    "[{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}]",
    "['/path/to/audio.wav']", "('a.wav', 'b.wav')",
    # errors
    "", "[1, 2", "[1 2]", "(,)", "{'a' 1}", "{'a': }", "'abc", "'''abc", "'a\nb'", "r'\\'", "'\\x4'", "'\\u12'",
    "'\\U00110000'", "foo", "[x]", "1 2", "'a'\n'b'", "1,\n2", "--1", "-True", "-'a'", "0777", "1__0", "1_", "0x",
    "1abc", "f'x'", "b'é'", "'a' b'b'", "[1]]", "{[1]: 2}", "{{'a': 1}}", "{[1], 2}", "@", "1 + 2", "[1,,2]",
]

# Accepted by Python, refused by our parser on purpose (see the file comment there).
DEVIATIONS = ["1j", "1+2j", "'\\N{BULLET}'", "{1.5: 'x'}", "{True: 1}", "{None: 1}", "{(1, 2): 'x'}", "{b'k': 1}"]


def tag(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        return {"float": repr(v)}
    if isinstance(v, bytes):
        return {"bytes": list(v)}
    if isinstance(v, list):
        return {"list": [tag(x) for x in v]}
    if isinstance(v, tuple):
        return {"tuple": [tag(x) for x in v]}
    if isinstance(v, dict):
        return {"dict": [[tag(k), tag(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        return {"set": sorted((tag(x) for x in v), key=repr)}
    raise TypeError(type(v))


def main():
    out = []
    for src in CASES:
        try:
            out.append({"src": src, "value": tag(ast.literal_eval(src))})
        except Exception as e:  # noqa: BLE001 - every failure is a golden "error" case
            msg = re.sub(r" at 0x[0-9a-f]+", "", str(e))  # object addresses change run to run
            out.append({"src": src, "error": f"{type(e).__name__}: {msg}"})
    for src in DEVIATIONS:
        ast.literal_eval(src)  # must be valid Python, or it is not a deviation
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": out, "deviations": DEVIATIONS}, f, ensure_ascii=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
