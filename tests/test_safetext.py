"""Untrusted text on a terminal: control, bidi and surrogate characters become visible escapes."""

from __future__ import annotations

import json

import pytest

from harness.errors import InputError
from harness.safetext import json_printable, printable, unicode_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("\x1b]8;;http://e\x1b\\link", "\\x1b]8;;http://e\\x1b\\link"),
        ("\x00\x07\x7f\x85\x9b", "\\x00\\x07\\x7f\\x85\\x9b"),
        ("\u202egnp.exe\u2066\u2069\u200e\u061c", "\\u202egnp.exe\\u2066\\u2069\\u200e\\u061c"),
        ("a\u2028b\u2029", "a\\u2028b\\u2029"),
        ("bad\udcff.txt", "bad\\xff.txt"),  # byte 0xFF of a file name that is not UTF-8
        ("json\ud83c", "json\\ud83c"),  # a lone surrogate from a JSON escape
    ],
)
def test_unsafe_characters_become_escapes(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_ordinary_unicode_is_kept() -> None:
    text = "Zelenskyy café naïve 東京 مرحبا שלום Привет 👩\u200d👩\u200d👧 soft\u00adhyphen \\ [bold] ~"
    assert printable(text) == text


def test_json_stays_valid_and_equal() -> None:
    value = {"k": "a\x1b[31m\x9b\u202e\x7f\u2028\udcff 東京\n"}
    text = json.dumps(value, indent=2, ensure_ascii=False)
    safe = json_printable(text)
    assert json.loads(safe) == value
    for char in ("\x1b", "\x9b", "\u202e", "\x7f", "\u2028", "\udcff"):
        assert char not in safe
    assert "東京" in safe and safe.count("\n") == text.count("\n")


def test_error_lines_are_one_line() -> None:
    error = InputError("bad value 'x'", where="dir/new\nline\x1b]0;t\x07.txt", hint="fix\rit")
    assert error.one_line() == "dir/new\\nline\\x1b]0;t\\x07.txt: bad value 'x' (fix\\rit)"
    assert str(error) == error.one_line()


def test_unicode_text_escapes_only_what_utf8_cannot_hold() -> None:
    # A file name's undecodable byte shows as that byte; controls stay (they are text,
    # made safe only when printed).
    assert unicode_text("caf\udce9.txt") == "caf\\xe9.txt"
    assert unicode_text("a\ud83cb") == "a\\ud83cb"
    assert unicode_text("tab\there \x1b 東京") == "tab\there \x1b 東京"
    assert unicode_text("caf\udce9.txt").encode("utf-8")
