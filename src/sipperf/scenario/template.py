"""Message text -> compiled template: literal text and keyword renderers.

Compiling happens once, when the scenario is loaded: SIPp's CDATA normalisation, `\\n` -> CRLF,
`\\xHH` escapes, and the split into literals and `[keyword]` tokens, each keyword checked against
the registry (an unknown one is a scenario error naming file and line). Binding happens once per
run: keywords whose value cannot change during the run (`[local_ip]`, `[service]` ...) are folded
into the literals, so rendering a message only calls the per-call renderers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sipperf.scenario.keywords import LINE_REMOVING, LastHeader, RunContext, make_renderer

LEN_MARK = "\x00"
_HEX_ESCAPE = re.compile(r"\\x([0-9A-Fa-f]{2})")
_OFFSET = re.compile(r"([+-])(\d+)")
_NO_OFFSET = ("authentication", "tdmmap")


class TemplateSyntaxError(ValueError):
    """A message text that cannot be compiled (unknown keyword, bad syntax); `text` is the culprit."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(message)
        self.text = text


@dataclass(frozen=True, slots=True)
class Keyword:
    """One `[name param=value ...]` occurrence; `offset` is the `+N`/`-N` cut from inside it."""

    name: str
    offset: int = 0
    params: tuple[tuple[str, str], ...] = ()
    text: str = ""

    @property
    def removes_empty_line(self) -> bool:
        return self.name.startswith(LINE_REMOVING)


def normalize_cdata(cdata: str, is_send: bool) -> str:
    """SIPp's normalisation of a message text (reference 3.3, steps 1-4); `\\n` line ends."""
    text = cdata.replace("\r\n", "\n")
    stripped_tail = text.rstrip(" \t\n")
    trailing_newlines = text[len(stripped_tail) :].count("\n")
    text = stripped_tail.lstrip(" \t\n")
    text = "\n".join(line.strip(" \t") for line in text.split("\n"))
    if "\n\n" not in text:
        text += "\n\n"
    if is_send and not text.endswith("\n") and trailing_newlines:
        text += "\n"
    return text


def _literal(text: str) -> str:
    """Wire form of literal text: CRLF line ends and `\\xHH` bytes."""
    text = text.replace("\n", "\r\n")
    return _HEX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _parse_keyword(body: str) -> Keyword:
    """`cseq+1` -> Keyword("cseq", 1); `field0 line="3"` -> params."""
    name, _, rest = body.partition(" ")
    offset = 0
    if not name.startswith(_NO_OFFSET):
        match = _OFFSET.search(name)
        if match:
            offset = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
            name = name[: match.start()] + name[match.end() :]
    params = tuple(_parse_params(rest))
    return Keyword(name, offset, params, "[" + body + "]")


def _parse_params(rest: str) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    i = 0
    while i < len(rest):
        while i < len(rest) and rest[i] == " ":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip()
        i = eq + 1
        if rest[i : i + 1] == '"':
            value_chars = []
            i += 1
            while i < len(rest) and rest[i] != '"':
                if rest[i] == "\\" and i + 1 < len(rest):
                    i += 1
                value_chars.append(rest[i])
                i += 1
            i += 1
            params.append((key, "".join(value_chars)))
        else:
            end = i
            while end < len(rest) and rest[end].isprintable() and rest[end] != " ":
                end += 1
            params.append((key, rest[i:end]))
            i = end
    return params


def tokenize(text: str) -> list[str | Keyword]:
    """Split normalised text into literal strings and keywords (SIPp's bracket rules)."""
    tokens: list[str | Keyword] = []
    literal: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        start = text.find("[", i)
        if start < 0:
            literal.append(text[i:])
            break
        literal.append(text[i:start])
        j = start + 1
        in_quotes = False
        while j < n:
            ch = text[j]
            if ch == '"':
                in_quotes = not in_quotes
            elif not in_quotes and ch in "[]":
                break
            j += 1
        if j >= n:
            literal.append(text[start:])
            break
        if text[j] == "[":
            literal.append(text[start:j])
            i = j
            continue
        if literal:
            tokens.append(_literal("".join(literal)))
            literal = []
        tokens.append(_parse_keyword(text[start + 1 : j]))
        i = j + 1
    if literal:
        tokens.append(_literal("".join(literal)))
    return [t for t in tokens if t != ""]


@dataclass(frozen=True, slots=True)
class Template:
    """A compiled message text: literals and keywords, not yet bound to a run."""

    tokens: tuple[str | Keyword, ...]
    keywords: frozenset[str] = field(default=frozenset())

    @classmethod
    def compile(cls, text: str, is_known: Callable[[Keyword], bool]) -> Template:
        """Compile normalised text; raise TemplateSyntaxError for a keyword `is_known` rejects."""
        tokens = tokenize(text)
        for token in tokens:
            if isinstance(token, Keyword) and not is_known(token):
                message = f"Unsupported keyword '{token.name}' in xml scenario file"
                raise TemplateSyntaxError(message, token.text)
        names = frozenset(t.name for t in tokens if isinstance(t, Keyword))
        return cls(tuple(tokens), names)

    def first_literal(self) -> str:
        return self.tokens[0] if self.tokens and isinstance(self.tokens[0], str) else ""

    def bind(self, ctx: RunContext) -> BoundTemplate:
        """Fold the run constants into the literals; keep per-call renderers and `[len]` marks."""
        parts: list[str | LenMark | Renderer] = []
        for token in self.tokens:
            if isinstance(token, Keyword) and token.name == "len":
                parts.append(LenMark(token.offset))
                continue
            value = token if isinstance(token, str) else make_renderer(token, ctx)
            if isinstance(value, str):
                if parts and isinstance(parts[-1], str):
                    parts[-1] += value
                else:
                    parts.append(value)
            else:
                parts.append(Renderer(value, token.removes_empty_line))  # type: ignore[union-attr]
        return BoundTemplate(parts)


@dataclass(frozen=True, slots=True)
class LenMark:
    """Where `[len]` goes; filled once the whole message is rendered."""

    offset: int


@dataclass(frozen=True, slots=True)
class Renderer:
    """A per-call keyword renderer; `removes_empty_line` applies SIPp's empty-line rule."""

    fn: Callable[[object], str]
    removes_empty_line: bool


def _last_ends_line(pieces: tuple[str, ...]) -> bool:
    """SIPp's test after a keyword that rendered empty: does the output so far end a line?"""
    for piece in pieces:
        if piece:
            return piece[-1] == "\n"
    return False


class BoundTemplate:
    """A template bound to one run: `render(call)` produces the message text.

    `render` is generated once per template as straight-line code: each literal a constant, each
    keyword one call, and SIPp's empty-line rule (reference 5.1) decided at generation time where
    the neighbours are known, so rendering runs no loop over the parts.
    """

    __slots__ = ("render", "_len_offsets")

    def __init__(self, parts: list[str | LenMark | Renderer]) -> None:
        self._len_offsets = tuple(p.offset for p in parts if isinstance(p, LenMark))
        self.render: Callable[[object], str] = self._generate(parts)

    def _generate(self, parts: list[str | LenMark | Renderer]) -> Callable[[object], str]:
        env: dict[str, object] = {"_last_ends_line": _last_ends_line, "_fill_len": self._fill_len}
        code = ["def render(call):"]
        pieces: list[str] = []  # the expression of each output piece, in order
        after_removing = False
        if any(isinstance(p, Renderer) and isinstance(p.fn, LastHeader) for p in parts):
            code.append("    m = call.last_msg")
        for i, part in enumerate(parts):
            if isinstance(part, Renderer):
                if isinstance(part.fn, LastHeader):  # inlined: the most frequent keyword of a UAS
                    code.append(f"    p{i} = m.header_line({part.fn.header!r}) if m is not None else ''")
                else:
                    env[f"f{i}"] = part.fn
                    code.append(f"    p{i} = f{i}(call)")
                if part.removes_empty_line:
                    before = "".join(f"{p}, " for p in reversed(pieces))
                    code.append(f"    st = p{i}[-1:] == '\\n' if p{i} else _last_ends_line(({before}))")
                pieces.append(f"p{i}")
                after_removing = part.removes_empty_line
                continue
            literal = LEN_MARK if isinstance(part, LenMark) else part
            stripped = literal.lstrip(" \t\r\n")
            env[f"l{i}"] = literal
            if after_removing and stripped != literal:
                env[f"s{i}"] = stripped
                code.append(f"    p{i} = s{i} if st else l{i}")
                pieces.append(f"p{i}")
            else:
                pieces.append(f"l{i}")
            after_removing = False
        joined = "''.join((" + "".join(f"{p}, " for p in pieces) + "))"
        code.append(f"    return _fill_len({joined})" if self._len_offsets else f"    return {joined}")
        exec("\n".join(code), env)  # noqa: S102 - code built above from the template's own parts
        return env["render"]  # type: ignore[return-value]

    def _fill_len(self, text: str) -> str:
        """Replace each `[len]` mark by the body length, right-aligned in 5 columns as SIPp."""
        sep = text.find("\r\n\r\n")
        body_len = 0
        if sep >= 0:
            body = text[sep + 4 :]
            body_len = len(body) + 4 * body.count(LEN_MARK)
        for offset in self._len_offsets:
            text = text.replace(LEN_MARK, f"{body_len + offset:5d}", 1)
        return text
