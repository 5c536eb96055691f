"""POSIX extended regular expressions with glibc's answers, for `<ereg>` and `<recv regexp_match>`.

SIPp compiles these patterns with glibc's `regcomp(REG_EXTENDED)` and runs `regexec`, whose rules
differ from Python's `re` in many places. `compile_ere` parses a pattern exactly as glibc's parser
does (same accepted syntax, same errors with glibc's `regerror` texts) and translates it into a pair
of patterns for the third-party `regex` library; `PosixPattern.search` then reports what `regexec`
reports. The rules reproduced:

- leftmost-longest matching (`a|ab` on `abc` gives `ab`), found with `regex.POSIX`;
- `.` and `[^x]` match newlines; `^` and `$` anchor only at the start and the end of the whole text,
  anywhere in the pattern (`a^b` never matches), and cannot be followed by a repetition;
- bracket expressions: `[]a]`, `[^]a]`, a trailing `-`, `[:class:]`, `[=c=]` and `[.c.]` of one
  character, a backslash that is an ordinary member; the classes and ranges are those of the C locale
  (single bytes, ASCII classes);
- `\\x` outside brackets is the literal `x`, except glibc's extensions `\\w \\W \\s \\S` (classes),
  `\\< \\> \\b \\B` (word anchors), ``\\` `` and `\\'` (text start and end) and the back-references
  `\\1`..`\\9`;
- repetitions: `{n}`, `{n,}`, `{n,m}`, `{,m}` (= `{0,m}`), `{,}` (= `*`), bounds up to 32767,
  stacked operators (`a**`, `a+?` is `(a+)?`, never lazy); `*`, `+`, `?` or `{` where nothing
  precedes is an error, while an unmatched `)` and a `}` are ordinary characters.

Both the pattern and the text are `str` whose characters stand for bytes (latin-1 decoding, as the
rest of sipperf does), so a pattern character above U+00FF is refused. They are C strings to glibc:
everything from a NUL character on is ignored.

Remaining difference from glibc: when a parenthesised subexpression that can match the empty string
is repeated (`(a*)*`, `(a?)+`), glibc discards a final empty iteration and reports the last
non-empty one (`(a*)*` on `aa` gives group 1 `aa`) while `regex` reports the empty one (`""`).
The overall match is the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

_DUP_MAX = 0x7FFF
_MISSING = -1
_INVALID = -2

# Characters of each class in the C locale, as `regex` character-set content.
_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t-\\r ",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}
_CLASS_MEMBERS = {
    name: frozenset(i for i in range(256) if regex.match(f"[{body}]", chr(i)))
    for name, body in _CLASSES.items()
}
_ESCAPES = {
    "w": ("class", "[0-9A-Za-z_]"),
    "W": ("class", "[^0-9A-Za-z_]"),
    "s": ("class", "[\\t-\\r ]"),
    "S": ("class", "[^\\t-\\r ]"),
    "<": ("anchor", "\\m"),
    ">": ("anchor", "\\M"),
    "b": ("anchor", "\\b"),
    "B": ("anchor", "\\B"),
    "`": ("anchor", "^"),
    "'": ("anchor", "\\Z"),
}

_BADPAT = "Invalid regular expression"
_ECOLLATE = "Invalid collation character"
_ECTYPE = "Invalid character class name"
_EESCAPE = "Trailing backslash"
_ESUBREG = "Invalid back reference"
_EBRACK = "Unmatched [, [^, [:, [., or [="
_EPAREN = "Unmatched ( or \\("
_EBRACE = "Unmatched \\{"
_BADBR = "Invalid content of \\{\\}"
_ERANGE = "Invalid range end"
_BADRPT = "Invalid preceding regular expression"
_ESIZE = "Regular expression too big"


class PosixRegexError(ValueError):
    """The pattern is not a valid POSIX ERE (message says why, as close to glibc's regerror text as practical)."""


class PosixPattern:
    """A compiled POSIX ERE; `search` and `matches` answer as glibc's `regexec` would."""

    __slots__ = ("pattern", "groups", "_longest", "_first")

    def __init__(self, pattern: str, translated: str, groups: int) -> None:
        self.pattern = pattern
        self.groups = groups
        flags = regex.DOTALL | regex.ASCII
        self._longest = regex.compile(translated, flags | regex.POSIX)
        self._first = regex.compile(translated, flags)

    def search(self, text: str) -> tuple[str, ...] | None:
        """First match as glibc regexec would report it: (whole match, group 1, ..., group n);
        a group that did not participate is "" . None when there is no match."""
        end = text.find("\0")
        if end < 0:
            end = len(text)
        # Any match decides the leftmost start; the POSIX pass then only runs from there.
        first = self._first.search(text, 0, end)
        if first is None:
            return None
        match = self._longest.match(text, first.start(), end)
        return (match.group(), *match.groups(""))

    def matches(self, text: str) -> bool:
        """True when `search` would find a match."""
        end = text.find("\0")
        return self._first.search(text, 0, end if end >= 0 else len(text)) is not None

    def __repr__(self) -> str:
        return f"compile_ere({self.pattern!r})"


def compile_ere(pattern: str) -> PosixPattern:
    """Compile once at scenario load time; raises PosixRegexError for patterns glibc rejects."""
    source = pattern.split("\0", 1)[0]
    if any(ord(c) > 0xFF for c in source):
        raise PosixRegexError("Pattern character above U+00FF (patterns are latin-1 decoded bytes)")
    parser = _Parser(source)
    return PosixPattern(pattern, parser.parse(), parser.groups)


@dataclass(slots=True)
class _Token:
    kind: str  # "char", an operator character, "anchor", "class", "backref", "\\" or "end"
    char: str = ""  # the character glibc records for the token (after a backslash: the escaped one)
    text: str = ""  # the `regex` translation of anchors and classes


class _Parser:
    """glibc's recursive-descent ERE parser (regcomp.c), emitting `regex` syntax instead of a tree."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.groups = 0
        self.completed: set[int] = set()
        self.tok = _Token("end")

    def parse(self) -> str:
        self.fetch()
        return self.reg_exp(0)

    # Tokens outside bracket expressions (peek_token).
    def fetch(self) -> None:
        src, pos = self.src, self.pos
        if pos >= len(src):
            self.tok = _Token("end")
            return
        c = src[pos]
        if c != "\\":
            self.pos += 1
            kind = {"^": "anchor", "$": "anchor"}.get(c) or (c if c in "|*+?{}()[." else "char")
            self.tok = _Token(kind, c, {"^": "^", "$": "\\Z", ".": "."}.get(c, ""))
            return
        if pos + 1 >= len(src):
            self.pos += 1
            self.tok = _Token("\\", c)
            return
        c2 = src[pos + 1]
        self.pos += 2
        if "1" <= c2 <= "9":
            self.tok = _Token("backref", c2)
        elif c2 in _ESCAPES:
            kind, text = _ESCAPES[c2]
            self.tok = _Token(kind, c2, text)
        else:
            self.tok = _Token("char", c2)

    def reg_exp(self, nest: int) -> str:
        branches = [self.branch(nest)]
        while self.tok.kind == "|":
            self.fetch()
            if self.tok.kind not in ("|", "end") and (nest == 0 or self.tok.kind != ")"):
                branches.append(self.branch(nest))
            else:
                branches.append("")
        return "|".join(branches)

    def branch(self, nest: int) -> str:
        parts = [self.expression()]
        while self.tok.kind not in ("|", "end") and (nest == 0 or self.tok.kind != ")"):
            parts.append(self.expression())
        return "".join(parts)

    def expression(self) -> str:
        tok = self.tok
        kind = tok.kind
        if kind in ("char", ")", "}"):  # `)` reaches here only unmatched, at the top level
            out = regex.escape(tok.char)
        elif kind == "(":
            out = self.sub_exp()
        elif kind == "[":
            out = self.bracket()
        elif kind == "backref":
            if int(tok.char) not in self.completed:
                raise PosixRegexError(_ESUBREG)
            out = f"(?:\\g<{tok.char}>)"
        elif kind in ("{", "*", "+", "?"):
            raise PosixRegexError(_BADRPT)
        elif kind == "anchor":  # no repetition may follow: the next expression rejects it
            self.fetch()
            return tok.text
        elif kind in (".", "class"):
            out = tok.text
        elif kind == "\\":
            raise PosixRegexError(_EESCAPE)
        else:  # "|" or "end": an empty expression
            return ""
        self.fetch()
        while self.tok.kind in ("*", "+", "?", "{"):
            out = f"(?:{out}){self.dup_op()}"
        return out

    def sub_exp(self) -> str:
        self.groups += 1
        number = self.groups
        self.fetch()
        body = ""
        if self.tok.kind != ")":
            body = self.reg_exp(1)
            if self.tok.kind != ")":
                raise PosixRegexError(_EPAREN)
        self.completed.add(number)
        return f"({body})"

    def dup_op(self) -> str:
        """The repetition at the current token as a `regex` quantifier (parse_dup_op)."""
        kind = self.tok.kind
        if kind != "{":
            self.fetch()
            return kind
        start = self.number()
        if start == _MISSING:
            if self.tok.char != ",":
                raise PosixRegexError(_BADBR)
            start = 0
        end = _INVALID
        if start != _INVALID:
            if self.tok.kind == "}":
                end = start
            elif self.tok.char == ",":
                end = self.number()
        if _INVALID in (start, end):
            raise PosixRegexError(_EBRACE if self.tok.kind == "end" else _BADBR)
        if (end != _MISSING and start > end) or self.tok.kind != "}":
            raise PosixRegexError(_BADBR)
        if max(start, end) > _DUP_MAX:
            raise PosixRegexError(_ESIZE)
        self.fetch()
        if end == _MISSING:
            return f"{{{start},}}"
        return f"{{{start}}}" if start == end else f"{{{start},{end}}}"

    def number(self) -> int:
        """The digits up to `,` or `}` (fetch_number): _MISSING if none, _INVALID if not a number."""
        num = _MISSING
        while True:
            self.fetch()
            tok = self.tok
            if tok.kind == "end":
                return _INVALID
            if tok.kind == "}" or tok.char == ",":
                return num
            if tok.kind != "char" or not "0" <= tok.char <= "9" or num == _INVALID:
                num = _INVALID
            else:
                num = min(_DUP_MAX + 1, max(num, 0) * 10 + int(tok.char))

    # Bracket expressions (parse_bracket_exp); self.pos is just after the `[`.
    def bracket_token(self) -> tuple[str, str, int]:
        """(kind, char, length) of the next token inside brackets, without consuming it."""
        src, pos = self.src, self.pos
        if pos >= len(src):
            return "end", "", 0
        c = src[pos]
        if c == "[":
            c2 = src[pos + 1 : pos + 2]
            if c2 and c2 in ".=:":
                return "[" + c2, c2, 2
            return "char", c, 1
        return {"-": "-", "]": "]", "^": "^"}.get(c, "char"), c, 1

    def bracket(self) -> str:
        members: set[int] = set()
        kind, char, length = self.bracket_token()
        if kind == "end":
            raise PosixRegexError(_BADPAT)
        negate = kind == "^"
        if negate:
            self.pos += length
            kind, char, length = self.bracket_token()
            if kind == "end":
                raise PosixRegexError(_BADPAT)
        if kind == "]":
            kind = "char"
        first = True
        while True:
            start = self.bracket_element(kind, char, length, first)
            first = False
            kind, char, length = self.bracket_token()
            is_range = False
            if start[0] not in ("[:", "[="):
                if kind == "end":
                    raise PosixRegexError(_EBRACK)
                if kind == "-":
                    self.pos += length
                    kind2, char2, length2 = self.bracket_token()
                    if kind2 == "end":
                        raise PosixRegexError(_EBRACK)
                    if kind2 == "]":
                        self.pos -= length
                        kind = "char"
                    else:
                        is_range = True
            if is_range:
                end = self.bracket_element(kind2, char2, length2, True)
                kind, char, length = self.bracket_token()
                members |= _range(start, end)
            else:
                members |= _members(start)
            if kind == "end":
                raise PosixRegexError(_EBRACK)
            if kind == "]":
                break
        self.pos += length
        return _charset(members, negate)

    def bracket_element(self, kind: str, char: str, length: int, accept_hyphen: bool) -> tuple[str, str]:
        """(kind, name) of one element: "char" with its character, or "[:", "[=", "[." with a name."""
        self.pos += length
        if kind in ("[.", "[=", "[:"):
            return kind, self.bracket_symbol(char)
        if kind == "-" and not accept_hyphen and self.bracket_token()[0] != "]":
            raise PosixRegexError(_ERANGE)
        return "char", char

    def bracket_symbol(self, delim: str) -> str:
        src = self.src
        name = ""
        while True:
            if self.pos >= len(src) or len(name) >= 32:
                raise PosixRegexError(_EBRACK)
            ch = src[self.pos]
            self.pos += 1
            if self.pos >= len(src):
                raise PosixRegexError(_EBRACK)
            if ch == delim and src[self.pos] == "]":
                self.pos += 1
                return name
            name += ch


def _members(element: tuple[str, str]) -> frozenset[int]:
    kind, name = element
    if kind == "[:":
        if name not in _CLASS_MEMBERS:
            raise PosixRegexError(_ECTYPE)
        return _CLASS_MEMBERS[name]
    if len(name) != 1:
        raise PosixRegexError(_ECOLLATE)
    return frozenset((ord(name),))


def _range(start: tuple[str, str], end: tuple[str, str]) -> frozenset[int]:
    if "[:" in (start[0], end[0]) or "[=" in (start[0], end[0]):
        raise PosixRegexError(_ERANGE)
    if len(start[1]) > 1 or len(end[1]) > 1:
        raise PosixRegexError(_ECOLLATE)
    low, high = ord(start[1]), ord(end[1])
    if low > high:
        raise PosixRegexError(_ERANGE)
    return frozenset(range(low, high + 1))


def _charset(members: set[int], negate: bool) -> str:
    """A `regex` character set of the given byte values, every character escaped."""
    ranges: list[str] = []
    values = sorted(members)
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        ranges.append(f"\\x{values[i]:02x}" + (f"-\\x{values[j]:02x}" if j > i else ""))
        i = j + 1
    return f"[{'^' if negate else ''}{''.join(ranges)}]"
