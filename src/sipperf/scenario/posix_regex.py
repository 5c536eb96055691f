"""POSIX extended regular expressions with glibc's answers, for `<ereg>` and `<recv regexp_match>`.

SIPp compiles these patterns with glibc's `regcomp(REG_EXTENDED)` and runs `regexec`, whose rules
differ from Python's `re` in many places. `compile_ere` parses a pattern as glibc's parser does
(same accepted syntax, same errors, with glibc's `regerror` texts) and translates it for the
third-party `regex` library, whose POSIX mode gives leftmost-longest matches. Reproduced:

- leftmost-longest matching (`a|ab` on "abc" gives "ab");
- `.` and `[^x]` match newlines; `^` and `$` are anchors anywhere in the pattern (`a^b` never
  matches) and cannot be repeated;
- bracket expressions: `[]a]`, `[^]a]`, a `-` first or last, `[:class:]`, `[=c=]` and `[.c.]` of
  one character, a backslash that is an ordinary member; the classes and ranges of the C locale
  (ASCII classes, ranges by byte value);
- outside brackets `\\x` is the literal `x`, except glibc's `\\w \\W \\s \\S` (classes), `\\< \\> \\b \\B`
  (word anchors), `` \\` `` and `\\'` (text start and end) and the back-references `\\1`..`\\9` (to an
  earlier group of the same alternative);
- repetitions: `{n}`, `{n,}`, `{n,m}`, `{,m}` (`{0,m}`), `{,}` (`*`), bounds up to 32767, stacked
  operators (`a**`; `a+?` is `(a+)?`, never lazy); `*`, `+`, `?` or `{` with nothing to repeat is an
  error, while an unmatched `)` and a lone `}` are ordinary characters;
- the groups glibc reports for ambiguous matches: the copies of a group it lays out for `{n,m}`,
  the previous match it keeps when a repeated group last matched "" (see `_Parser.layout`), the
  preference it gives to the other branch over an empty first one (`(|a)`).

`search` answers like `regexec` asked for the groups (as `<ereg>` does), `matches` like `regexec`
with REG_NOSUB (as `<recv regexp_match>` does). The pattern and the text are `str` whose characters
stand for bytes (latin-1, as in the rest of sipperf), so a pattern character above U+00FF is refused;
both are C strings to glibc, which ignores everything from a NUL character on.

Known differences, all from glibc's internals rather than from its documented rules:

- glibc's matcher takes a newline consumed inside the match as the start of a line for a following
  `^`, and a `$` directly followed by a consumed newline as satisfied (`a\\n^b` and `a$\\nb` match
  "a\\nb"); here `^` and `$` only match at the start and the end of the text;
- with anchors (`^`, word anchors) or back-references inside repeated groups, glibc sometimes
  reports no match, or another one, where one exists (`(\\<b?)+` on " b" gives none): here the
  match is reported;
- when a group that can match "" is repeated at least twice and more is allowed (`(a?){2,}` on "a"),
  glibc's undoing of an empty optional copy also undoes the empty copies before it ("a" there,
  "" here); in nested repetitions of such groups the reported groups can differ in rare cases too,
  as they can for a group repeated `{n,m}` with many optional copies (laid out as a plain greedy
  repetition once glibc's layout would take more than a few thousand characters).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import NamedTuple

_DUP_MAX = 0x7FFF
_LAYOUT_LIMIT = 4_000  # characters of `regex` text for the copies of one repetition
_MISSING = -1
_INVALID = -2

# The bracket classes of the C locale: ASCII only, as byte values.
_ASCII = [chr(i) for i in range(128)]
_CLASSES = {
    name: frozenset(ord(c) for c in _ASCII if test(c))
    for name, test in {
        "alnum": str.isalnum,
        "alpha": str.isalpha,
        "blank": lambda c: c in " \t",
        "cntrl": lambda c: not c.isprintable(),
        "digit": str.isdigit,
        "graph": lambda c: c.isprintable() and c != " ",
        "lower": str.islower,
        "print": str.isprintable,
        "punct": lambda c: c.isprintable() and not c.isalnum() and c != " ",
        "space": lambda c: c in " \t\n\v\f\r",
        "upper": str.isupper,
        "xdigit": lambda c: c in "0123456789ABCDEFabcdef",
    }.items()
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
    """The pattern is not a valid POSIX ERE (the message says why, as close to glibc's regerror text
    as practical)."""


class PosixPattern:
    """A compiled POSIX ERE; `search` and `matches` answer as glibc's `regexec` would."""

    __slots__ = ("pattern", "groups", "_names", "_longest", "_first")

    def __init__(self, pattern: str, translated: str, groups: int) -> None:
        self.pattern = pattern
        self.groups = groups
        self._names = tuple(f"g{number}" for number in range(1, groups + 1))
        import regex  # loaded with the first pattern: most runs have none

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
        return (match[0], *(match[name] or "" for name in self._names))

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


class _Node(NamedTuple):
    text: str  # the `regex` translation
    copy: str  # the translation of a copy glibc makes when expanding a repetition (see `layout`)
    nullable: bool  # whether it can match ""
    group: int = 0  # its number if it is a parenthesised group
    void: bool = False  # nothing at all in glibc's tree: an empty branch, X{0}


def _leaf(text: str, nullable: bool = False) -> _Node:
    return _Node(text, text, nullable)


_EMPTY = _Node("", "", True, void=True)


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
        self.helpers = 0
        self.completed: set[int] = set()
        self.tok = _Token("end")

    def parse(self) -> str:
        self.fetch()
        return self.reg_exp(0).text

    # Tokens outside bracket expressions (peek_token).
    def fetch(self) -> None:
        src, pos = self.src, self.pos
        if pos >= len(src):
            self.tok = _Token("end")
            return
        c = src[pos]
        if c != "\\":
            self.pos += 1
            if c in "^$":
                self.tok = _Token("anchor", c, "^" if c == "^" else "\\Z")
            else:
                self.tok = _Token(c if c in "|*+?{}()[." else "char", c, "." if c == "." else "")
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

    def reg_exp(self, nest: int) -> _Node:
        initial = set(self.completed)
        branches = [self.branch(nest)]
        while self.tok.kind == "|":
            self.fetch()
            if self.tok.kind not in ("|", "end") and (nest == 0 or self.tok.kind != ")"):
                # Since glibc 2.28 a back-reference cannot name a group of a sibling alternative.
                accumulated, self.completed = self.completed, set(initial)
                branches.append(self.branch(nest))
                self.completed |= accumulated
            else:
                branches.append(_EMPTY)
        if len(branches) == 1:
            return branches[0]
        if branches[0].void and not branches[1].void:
            # glibc orders the two ways out of an alternative by node number, and an empty first
            # branch leads to the node after the alternation, numbered after the second branch.
            branches[:2] = branches[1::-1]
        return _Node(
            "|".join(b.text for b in branches),
            "|".join(b.copy for b in branches),
            any(b.nullable for b in branches),
        )

    def branch(self, nest: int) -> _Node:
        parts = [self.expression()]
        while self.tok.kind not in ("|", "end") and (nest == 0 or self.tok.kind != ")"):
            parts.append(self.expression())
        if len(parts) == 1:
            return parts[0]
        return _Node(
            "".join(p.text for p in parts),
            "".join(p.copy for p in parts),
            all(p.nullable for p in parts),
            void=all(p.void for p in parts),
        )

    def expression(self) -> _Node:
        tok = self.tok
        kind = tok.kind
        node: _Node
        if kind in ("char", ")", "}"):  # `)` reaches here only unmatched, at the top level
            node = _leaf(_escape(tok.char))
        elif kind == "(":
            node = self.sub_exp()
        elif kind == "[":
            node = _leaf(self.bracket())
        elif kind == "backref":
            if int(tok.char) not in self.completed:
                raise PosixRegexError(_ESUBREG)
            node = _leaf(f"(?P=g{tok.char})", True)
        elif kind in ("{", "*", "+", "?"):
            raise PosixRegexError(_BADRPT)
        elif kind == "anchor":  # no repetition may follow: the next expression rejects it
            self.fetch()
            return _leaf(tok.text, True)
        elif kind in (".", "class"):
            node = _leaf(tok.text)
        elif kind == "\\":
            raise PosixRegexError(_EESCAPE)
        else:  # "|" or "end": an empty expression
            return _EMPTY
        self.fetch()
        while self.tok.kind in ("*", "+", "?", "{"):
            node = self.repeat(node, *self.dup_op())
        return node

    def sub_exp(self) -> _Node:
        self.groups += 1
        number = self.groups
        self.fetch()
        body = _EMPTY
        if self.tok.kind != ")":
            body = self.reg_exp(1)
            if self.tok.kind != ")":
                raise PosixRegexError(_EPAREN)
        self.completed.add(number)
        return _Node(f"(?P<g{number}>{body.text})", f"(?P<g{number}>{body.copy})", body.nullable, number)

    def repeat(self, node: _Node, low: int, high: int) -> _Node:
        """`node` repeated low..high times (high is _MISSING for no bound)."""
        nullable, void = node.nullable or low == 0, node.void or high == 0
        optional = _MISSING if high == _MISSING else high - low
        if high == 0 or "(?P<g" not in node.text or optional * len(node.copy) > _LAYOUT_LIMIT:
            quantifier = _quantifier(low, high)  # the layout of the copies cannot show (or is too big)
            return _Node(f"(?:{node.text}){quantifier}", f"(?:{node.copy}){quantifier}", nullable, void=void)
        text, copy = self.layout(node, low, optional, True), self.layout(node, low, optional, False)
        return _Node(text, copy, nullable, void=void)

    def layout(self, node: _Node, low: int, optional: int, original: bool) -> str:
        """The repetition laid out as glibc expands it, for the original tree or for a copy of it.

        glibc turns X{n,n+k} into n copies of X then ((X? X)? X)? with k copies: entering an outer
        level commits to its last copy, so the number of copies is chosen first, the largest that
        fits (`(.+){0,2}` on "abc" captures "c"). X{n,} is n copies then X*. Its copies lose the
        marks described below; the first optional copy of a group gets one: when it matches "" and
        the group has matched before, glibc restores the previous registers (`(a*)*` on "aa"
        captures "aa"), so here that copy must then consume something: `rest` captures the text
        ahead, which is still ahead after an empty match.
        """
        text, copy = f"(?:{node.text})", f"(?:{node.copy})"
        head = (text if original else copy) + (f"{copy}{{{low - 1}}}" if low > 1 else "") if low else ""
        first = text if original and not low else copy
        if original and node.group and node.nullable:
            self.helpers += 1
            rest = f"r{self.helpers}"
            first = f"(?(g{node.group})(?:(?=(?P<{rest}>.*)){first}(?!(?P={rest})))|{first})"
        if optional == _MISSING:
            return f"{head}{first}*"
        if optional == 0:
            return head
        counts = [f"{first}{copy}{{{optional - 1}}}", *(f"{copy}{{{k}}}" for k in range(optional - 1, 0, -1))]
        return f"{head}(?:{'|'.join(counts)}|)"

    def dup_op(self) -> tuple[int, int]:
        """The bounds of the repetition at the current token (parse_dup_op)."""
        kind = self.tok.kind
        if kind != "{":
            self.fetch()
            return {"*": (0, _MISSING), "+": (1, _MISSING), "?": (0, 1)}[kind]
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
        return start, end

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


def _escape(char: str) -> str:
    import regex

    return regex.escape(char)


def _quantifier(low: int, high: int) -> str:
    if high == _MISSING:
        return f"{{{low},}}"
    return f"{{{low}}}" if low == high else f"{{{low},{high}}}"


def _members(element: tuple[str, str]) -> frozenset[int]:
    kind, name = element
    if kind == "[:":
        if name not in _CLASSES:
            raise PosixRegexError(_ECTYPE)
        return _CLASSES[name]
    if len(name) != 1:
        raise PosixRegexError(_ECOLLATE)
    return frozenset((ord(name),))


def _range(start: tuple[str, str], end: tuple[str, str]) -> frozenset[int]:
    if "[:" in (start[0], end[0]) or "[=" in (start[0], end[0]):
        raise PosixRegexError(_ERANGE)
    if len(start[1]) != 1 or len(end[1]) != 1:
        raise PosixRegexError(_ECOLLATE)
    low, high = ord(start[1]), ord(end[1])
    if low > high:
        raise PosixRegexError(_ERANGE)
    return frozenset(range(low, high + 1))


def _charset(members: set[int], negate: bool) -> str:
    """A `regex` character set of the given byte values, as ranges of escaped characters."""
    ranges = []
    for _, run in itertools.groupby(enumerate(sorted(members)), lambda item: item[1] - item[0]):
        values = [value for _, value in run]
        ranges.append(f"\\x{values[0]:02x}-\\x{values[-1]:02x}")
    return f"[{'^' if negate else ''}{''.join(ranges)}]"
