"""POSIX extended regular expressions as glibc answers them (`<ereg>`, `<recv regexp_match>`).

The expected answers in the tables are glibc's (2.36, C locale), obtained through ctypes and
hard-coded; `test_table_rows_are_glibcs_answers` asks glibc again so the tables cannot drift.
"""

from __future__ import annotations

import ctypes
import locale
import platform
import random
import re
import sys
import warnings
from collections.abc import Iterator

import pytest

from sipperf.scenario.posix_regex import PosixPattern, PosixRegexError, compile_ere

SIP = (
    "INVITE sip:service@10.0.0.2:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1-0\r\n"
    "Via: SIP/2.0/TCP 10.0.0.9:5070;branch=z9hG4bK-77;rport\r\n"
    "From: sipp <sip:sipp@10.0.0.1:5060>;tag=1SIPpTag-01\r\n"
    "To: sut <sip:service@10.0.0.2:5060>\r\n"
    "Call-ID: 1-42@10.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact:   <sip:sipp@10.0.0.1:5060;transport=udp>\r\n"
    "Content-Length: 0\r\n\r\n"
)
_FROM_CALL_ID = SIP[SIP.index("Call-ID: ") :]  # `.` crosses the CRLFs up to the end of the message
_BOTH_VIAS = (
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1-0\r\nVia: SIP/2.0/TCP 10.0.0.9:5070;branch=z9hG4bK-77"
)

Row = tuple[str, str, tuple[str, ...] | None]

# (pattern, text, glibc's answer) where Python's `re` answers otherwise (or rejects the pattern).
DIFFERS: list[Row] = [
    ("a|ab", "abc", ("ab",)),
    ("a|ab|abc", "abcd", ("abc",)),
    ("(ab|a)(c|bcd)", "abcd", ("abcd", "a", "bcd")),
    ("a.b", "a\nb", ("a\nb",)),
    ("^a.*b$", "a\nb", ("a\nb",)),
    ("a$", "a\n", None),
    ("b$", "a\nb\n", None),
    ("[[:alnum:]]+", "-ab1-", ("ab1",)),
    ("[[:space:]]+", "a \t\r\nb", (" \t\r\n",)),
    ("[[:digit:]]+", "sip:123@x", ("123",)),
    ("[[:alpha:]]+", "Zo\xe9", ("Zo",)),
    ("[[:upper:]][[:lower:]]+", "xCall-ID", ("Call",)),
    ("[\\d]+", "9\\d9", ("\\d",)),
    ("[a\\]]+", "a\\]", ("\\]",)),
    ("[\\n]", "\n\\", ("\\",)),
    ("[[.a.]]", "a", ("a",)),
    ("[[=a=]b]+", "xab", ("ab",)),
    ("\\n", "\nn", ("n",)),
    ("\\t", "\tt", ("t",)),
    ("\\d", "1d", ("d",)),
    ("\\w+", "\xe9t\xe9", ("t",)),
    ("\\<sip", "xsip sip", ("sip",)),
    ("sip\\>", "sipx sip", ("sip",)),
    ("(a*)*", "aa", ("aa", "aa")),
    ("(.+){0,2}", "abc", ("abc", "c")),
    ("(|a)", "a", ("a", "a")),
    ("a**", "aaa", ("aaa",)),
    ("a+?", "aaa", ("aaa",)),
    ("a{1}{2}", "aa", ("aa",)),
    ("a)", "a)", ("a)",)),
    ("tag=([[:alnum:]-]*)", SIP, ("tag=1SIPpTag-01", "1SIPpTag-01")),
    ("Call-ID: (.*)", SIP, (_FROM_CALL_ID, _FROM_CALL_ID[len("Call-ID: ") :])),
    ("Via: .*branch=([^;\r\n]*)", SIP, (_BOTH_VIAS, "z9hG4bK-77")),
    ("Content-Length: ([[:digit:]]+)[[:space:]]*$", SIP, ("Content-Length: 0\r\n\r\n", "0")),
    ("(From|To): [[:alpha:]]+ <sip:([^@]+)", SIP, ("From: sipp <sip:sipp", "From", "sipp")),
]

# Rows where `re` gives glibc's answer too.
AGREES: list[Row] = [
    ("(a|ab)(c|bcd)(d*)", "abcd", ("abcd", "a", "bcd", "")),
    ("[^x]+", "a\nb", ("a\nb",)),
    ("a[^x]b", "a\nb", ("a\nb",)),
    ("^b", "a\nb", None),
    ("a^b", "a^b", None),
    ("x$y", "x$y", None),
    ("[]a]+", "x]a]", ("]a]",)),
    ("[^]a]+", "]a-b", ("-b",)),
    ("[a-]+", "x-a-", ("-a-",)),
    ("\\.", "a.b", (".",)),
    ("a\\.b", "axb a.b", ("a.b",)),
    ("(a*)*", "b", ("", "")),
    ("(a*)+", "b", ("", "")),
    ("x(a|)", "xa", ("xa", "a")),
    ("a{2,}", "aaa", ("aaa",)),
    ("a{,2}", "aaa", ("aa",)),
    ("a}", "a}", ("a}",)),
    ("a\\{2\\}", "a{2}", ("a{2}",)),
    ("((a)(b))", "ab", ("ab", "ab", "a", "b")),
    ("((a)|b)+", "ab", ("ab", "b", "a")),
    ("(a)|b", "b", ("b", "")),
    ("(a)(x)?", "ab", ("a", "a", "")),
    ("()", "x", ("", "")),
    ("^[^;]*", SIP, (SIP[: SIP.index(";")],)),
    ("<sip:([^@]*)@([^>]*)>", SIP, ("<sip:sipp@10.0.0.1:5060>", "sipp", "10.0.0.1:5060")),
    (
        "Contact: *<([^>]*)>",
        SIP,
        ("Contact:   <sip:sipp@10.0.0.1:5060;transport=udp>", "sip:sipp@10.0.0.1:5060;transport=udp"),
    ),
    ("Via: SIP/2.0/[A-Z]+ ([^;]*)", SIP, ("Via: SIP/2.0/UDP 10.0.0.1:5060", "10.0.0.1:5060")),
    ("CSeq: ([0-9]+) ([A-Z]+)", SIP, ("CSeq: 1 INVITE", "1", "INVITE")),
    ("^([A-Z]+) sip:([^@]+)@", SIP, ("INVITE sip:service@", "INVITE", "service")),
    ("To: [^<]*<([^>]*)>$", SIP, None),
]

# Patterns glibc rejects, with its regerror text.
INVALID = [
    ("(", "Unmatched ( or \\("),
    ("((a)", "Unmatched ( or \\("),
    ("[a", "Unmatched [, [^, [:, [., or [="),
    ("[", "Invalid regular expression"),
    ("[^", "Invalid regular expression"),
    ("[]", "Unmatched [, [^, [:, [., or [="),
    ("[[:alpha:]", "Unmatched [, [^, [:, [., or [="),
    ("a{2,1}", "Invalid content of \\{\\}"),
    ("*a", "Invalid preceding regular expression"),
    ("a|*b", "Invalid preceding regular expression"),
    ("(*a)", "Invalid preceding regular expression"),
    ("^*", "Invalid preceding regular expression"),
    ("$+", "Invalid preceding regular expression"),
    ("{1}", "Invalid preceding regular expression"),
    ("a{", "Unmatched \\{"),
    ("a{1", "Unmatched \\{"),
    ("a{1,", "Unmatched \\{"),
    ("a{1,2,3}", "Invalid content of \\{\\}"),
    ("a{x}", "Invalid content of \\{\\}"),
    ("a{}", "Invalid content of \\{\\}"),
    ("a{ 1}", "Invalid content of \\{\\}"),
    ("a{32768}", "Regular expression too big"),
    ("[b-a]", "Invalid range end"),
    ("[a-z-9]", "Invalid range end"),
    ("[[:alpha:]-z]", "Invalid range end"),
    ("[[:foo:]]", "Invalid character class name"),
    ("[[.space.]]", "Invalid collation character"),
    ("[[=ab=]]", "Invalid collation character"),
    ("\\", "Trailing backslash"),
    ("a\\", "Trailing backslash"),
    ("\\1", "Invalid back reference"),
    ("(a)\\2", "Invalid back reference"),
    ("(a)|\\1", "Invalid back reference"),
    ("(a\\1)", "Invalid back reference"),
]

# Patterns glibc accepts, several of which `re` rejects or reads otherwise.
VALID = [
    "a**", "a+?", "a*+", "a{,2}", "a{,}", "a{1}{2}", "a)", ")", "}", "()", "(|a)", "a||b", "|", "", "x{0}",
    "a{32767}", "[]a]", "[^]a]", "[a-]", "[]-a]", "[\\]", "\\{", "a|", "[[.-.]]", "[[:alpha:]-]", "\\<\\>",
    "(a)\\1", "[a-a]",
]  # fmt: skip

# glibc behaviours not reproduced (see the module docstring): (pattern, text, glibc's answer, why).
KNOWN_DIFFERENCES = [
    ("a\n^b", "a\nb", ("a\nb",), "glibc takes a newline consumed in the match as a line start for `^`"),
    ("a$\nb", "a\nb", ("a\nb",), "glibc takes `$` before a consumed newline as satisfied"),
    ("(\\<b?)+", " b", None, "glibc misses this match (word anchor in a repeated group)"),
    ("(a?){2,}", "a", ("a", "a"), "glibc also undoes the empty copies before the first optional one"),
    (
        "((\n{,2}|\\s?)+?){1,2}",
        " c",
        (" ", " ", ""),
        "group choice in nested repetitions of empty-matching groups",
    ),
]

_ON_GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def _python_re(pattern: str, text: str) -> tuple[str, ...] | str | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarning about nested sets such as [[:alpha:]]
        try:
            match = re.search(pattern, text)
        except re.error:
            return "error"
    return match and (match.group(0), *match.groups(""))


@pytest.mark.parametrize(("pattern", "text", "expected"), DIFFERS + AGREES)
def test_table(pattern: str, text: str, expected: tuple[str, ...] | None) -> None:
    compiled = compile_ere(pattern)
    assert compiled.search(text) == expected
    assert compiled.matches(text) is (expected is not None)


@pytest.mark.parametrize(("pattern", "text", "expected"), DIFFERS)
def test_python_re_differs(pattern: str, text: str, expected: tuple[str, ...] | None) -> None:
    assert _python_re(pattern, text) != expected


@pytest.mark.parametrize(("pattern", "text", "expected"), AGREES)
def test_python_re_agrees(pattern: str, text: str, expected: tuple[str, ...] | None) -> None:
    assert _python_re(pattern, text) == expected


@pytest.mark.parametrize(("pattern", "message"), INVALID)
def test_invalid_patterns(pattern: str, message: str) -> None:
    with pytest.raises(PosixRegexError) as info:
        compile_ere(pattern)
    assert str(info.value) == message


@pytest.mark.parametrize("pattern", VALID)
def test_valid_patterns(pattern: str) -> None:
    assert isinstance(compile_ere(pattern), PosixPattern)


@pytest.mark.parametrize(
    ("pattern", "text", "expected", "reason"),
    [pytest.param(*row, marks=pytest.mark.xfail(reason=row[3], strict=True)) for row in KNOWN_DIFFERENCES],
)
def test_known_differences(pattern: str, text: str, expected: tuple[str, ...] | None, reason: str) -> None:
    assert compile_ere(pattern).search(text) == expected


def test_pattern_and_groups() -> None:
    compiled = compile_ere("<sip:([^@]*)@(([^>:]*)(:[0-9]+)?)>")
    assert compiled.pattern == "<sip:([^@]*)@(([^>:]*)(:[0-9]+)?)>"
    assert compiled.groups == 4
    assert compiled.search("<sip:bob@host>") == ("<sip:bob@host>", "bob", "host", "host", "")


def test_text_and_pattern_end_at_nul() -> None:
    assert compile_ere("c").search("ab\0cd") is None
    assert not compile_ere("c").matches("ab\0cd")
    assert compile_ere("b$").search("ab\0cd") == ("b",)
    assert compile_ere("a\0b").search("xa") == ("a",)


def test_latin1_text() -> None:
    assert compile_ere("caf.").search("un caf\xe9") == ("caf\xe9",)
    assert compile_ere("[\xe0-\xff]+").search("caf\xe9\xe8s") == ("\xe9\xe8",)


def test_pattern_above_latin1_is_refused() -> None:
    with pytest.raises(PosixRegexError, match="U\\+00FF"):
        compile_ere("caf\u0153")


def test_error_is_a_value_error() -> None:
    assert issubclass(PosixRegexError, ValueError)


# Live checks against glibc itself.


class _RegMatch(ctypes.Structure):
    _fields_ = [("rm_so", ctypes.c_int), ("rm_eo", ctypes.c_int)]  # glibc's regoff_t is an int


class _Glibc:
    """regcomp/regexec through ctypes, in the C locale, asking for the groups as SIPp's <ereg> does."""

    REG_EXTENDED, REG_NOSUB = 1, 8
    # regex_t is 64 bytes on x86_64; re_nsub follows six pointer-sized fields.
    NSUB_OFFSET = 6 * ctypes.sizeof(ctypes.c_void_p)

    def __init__(self) -> None:
        self.libc = ctypes.CDLL("libc.so.6")

    def run(
        self, pattern: str, text: str, nosub: bool = False
    ) -> tuple[tuple[str, ...] | str | bool | None, int]:
        """(answer, number of groups): the groups tuple, None, True/False with nosub, or the error text."""
        preg = ctypes.create_string_buffer(256)
        code = self.libc.regcomp(
            preg, pattern.encode("latin-1"), self.REG_EXTENDED | (self.REG_NOSUB if nosub else 0)
        )
        if code:
            message = ctypes.create_string_buffer(256)
            self.libc.regerror(code, preg, message, len(message))
            return message.value.decode(), 0
        try:
            groups = ctypes.c_size_t.from_buffer(preg, self.NSUB_OFFSET).value
            count = 0 if nosub else max(10, groups + 1)
            found = (_RegMatch * max(count, 1))()
            data = text.encode("latin-1")
            if self.libc.regexec(preg, data, count, found, 0):
                return (False if nosub else None), groups
            if nosub:
                return True, groups
            spans = [(m.rm_so, m.rm_eo) for m in found[: groups + 1]]
            return tuple(
                "" if start < 0 else data[start:end].decode("latin-1") for start, end in spans
            ), groups
        finally:
            self.libc.regfree(preg)


@pytest.fixture(scope="module")
def glibc() -> Iterator[_Glibc]:
    if not _ON_GLIBC:
        pytest.skip("needs glibc's regcomp/regexec")
    saved = locale.setlocale(locale.LC_ALL)
    locale.setlocale(locale.LC_ALL, "C")
    try:
        yield _Glibc()
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def test_table_rows_are_glibcs_answers(glibc: _Glibc) -> None:
    for pattern, text, expected in DIFFERS + AGREES:
        answer, groups = glibc.run(pattern, text)
        assert answer == expected, pattern
        assert groups == compile_ere(pattern).groups, pattern
        assert glibc.run(pattern, text, nosub=True)[0] is (expected is not None), pattern
    for pattern, message in INVALID:
        assert glibc.run(pattern, "")[0] == message, pattern
    for pattern in VALID:
        assert not isinstance(glibc.run(pattern, "")[0], str), pattern
    for pattern, text, expected, _ in KNOWN_DIFFERENCES:
        assert glibc.run(pattern, text)[0] == expected, pattern


_ATOMS = [
    "a",
    "b",
    ".",
    "[ab]",
    "[^a]",
    "[[:alpha:]]",
    "[]a]",
    "[a-]",
    "\\.",
    "\\w",
    "\\W",
    "\\s",
    "\n",
    "-",
    "[\\n]",
    "x",
]
_QUANTIFIERS = ["", "", "*", "+", "?", "{2}", "{1,2}", "{,2}", "{0,3}", "{1,}", "**", "+?", "{0}"]


def _random_pattern(rng: random.Random, depth: int = 0) -> str:
    pick = rng.random()
    if depth < 2 and pick < 0.3:
        return f"({_random_pattern(rng, depth + 1)}){rng.choice(_QUANTIFIERS)}"
    if depth < 2 and pick < 0.45:
        return f"{_random_pattern(rng, depth + 1)}|{_random_pattern(rng, depth + 1)}"
    if depth < 2 and pick < 0.65:
        return _random_pattern(rng, depth + 1) + _random_pattern(rng, depth + 1)
    return rng.choice(_ATOMS) + rng.choice(_QUANTIFIERS)


def test_random_patterns_against_glibc(glibc: _Glibc) -> None:
    """Patterns without the constructs of KNOWN_DIFFERENCES (anchors, back-references, lower bounds
    of 2 or more with an upper bound above) give glibc's answers."""
    rng = random.Random(2036)
    for _ in range(1500):
        pattern = _random_pattern(rng)
        text = "".join(rng.choice("ab\n- x.") for _ in range(rng.randint(0, 8)))
        expected = glibc.run(pattern, text)[0]
        try:
            compiled = compile_ere(pattern)
        except PosixRegexError as error:
            assert str(error) == expected, pattern
            continue
        assert compiled.search(text) == expected, (pattern, text)
        assert compiled.matches(text) is glibc.run(pattern, text, nosub=True)[0], (pattern, text)
