"""Message text -> compiled template: literal text and keyword renderers.

Compiling happens once, when the scenario is loaded: SIPp's CDATA normalisation, `\\n` -> CRLF,
`\\xHH` escapes, and the split into literals and `[keyword]` tokens, each keyword checked against
the registry (an unknown one is a scenario error naming file and line). Binding happens once per
run: keywords whose value cannot change during the run (`[local_ip]`, `[service]` ...) are folded
into the literals, so rendering a message only calls the per-call renderers. `[len]` and
`[authentication]` depend on the rest of the message: they are filled in after it is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sipperf.errors import FatalError
from sipperf.scenario.keywords import (
    LINE_REMOVING,
    Authentication,
    Inline,
    LastHeader,
    RunContext,
    make_renderer,
    unsupported,
)

LEN_MARK = "\x00"
# What SIPp writes where [authentication] goes until the message is complete: for the empty-line
# rule, a keyword right after it does not follow a line end.
AUTH_PLACEHOLDER = "[authentication place holder]"
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
            if not isinstance(token, Keyword):
                continue
            if not is_known(token):
                message = f"Unsupported keyword '{token.name}' in xml scenario file"
                raise TemplateSyntaxError(message, token.text)
            refusal = unsupported(token.name, token.params)
            if refusal is not None:
                raise TemplateSyntaxError(refusal, token.text)
        names = frozenset(t.name for t in tokens if isinstance(t, Keyword))
        return cls(tuple(tokens), names)

    def first_literal(self) -> str:
        return self.tokens[0] if self.tokens and isinstance(self.tokens[0], str) else ""

    def bind(self, ctx: RunContext) -> BoundTemplate:
        """Fold the run constants into the literals; keep per-call renderers, `[len]` and
        `[authentication]` marks."""
        parts: list[Part] = []
        for token in self.tokens:
            if isinstance(token, Keyword) and token.name == "len":
                parts.append(LenMark(token.offset))
                continue
            if isinstance(token, Keyword) and token.name == "authentication":
                parts.append(AuthMark(Authentication(dict(token.params), ctx)))
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
class AuthMark:
    """Where `[authentication]` goes; filled once the whole message is rendered."""

    credentials: Authentication


@dataclass(frozen=True, slots=True)
class Renderer:
    """A per-call keyword renderer; `removes_empty_line` applies SIPp's empty-line rule."""

    fn: Callable[[object], str]
    removes_empty_line: bool


Part = str | LenMark | AuthMark | Renderer


def _join(pieces: list[str]) -> str:
    """The expression joining these piece expressions."""
    return "''.join((" + "".join(f"{p}, " for p in pieces) + "))"


def _only_one_authentication(call: object) -> str:
    """The render of a message with several `[authentication]`: SIPp's fatal error when sent."""
    raise FatalError("Only one [authentication] keyword is currently supported!")


def _around_len(head: str, tail: str, offset: int) -> str:
    """The message with its one `[len]` between `head` and `tail`: the body length (after the
    first empty line; the 5 columns count when `[len]` is in the body), right-aligned in 5
    columns as SIPp writes it."""
    sep = tail.find("\r\n\r\n")
    if sep >= 0:
        body_len = len(tail) - sep - 4
    else:
        sep = head.find("\r\n\r\n")
        body_len = len(head) - sep - 4 + 5 + len(tail) if sep >= 0 else 0
    return f"{head}{body_len + offset:5d}{tail}"


def _constant_body_length(tail: list[str], env: dict[str, object]) -> int | None:
    """The body length when the text after `[len]` is literals only (`l<i>` pieces, values in
    `env`) and holds the empty line; None when it must be measured at each render."""
    if not all(piece.startswith("l") for piece in tail):
        return None
    text = "".join(str(env[piece]) for piece in tail)
    sep = text.find("\r\n\r\n")
    return None if sep < 0 else len(text) - sep - 4


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
    the neighbours are known, so rendering runs no loop over the parts. With `[authentication]`
    the code renders the text before and the text after it, and `_fill_auth` puts the line between.
    """

    __slots__ = ("render", "_len_offsets")

    def __init__(self, parts: list[Part]) -> None:
        self._len_offsets = tuple(p.offset for p in parts if isinstance(p, LenMark))
        several_auth = sum(isinstance(p, AuthMark) for p in parts) > 1
        self.render: Callable[[object], str] = (
            _only_one_authentication if several_auth else self._generate(parts)
        )

    def _generate(self, parts: list[Part]) -> Callable[[object], str]:
        env: dict[str, object] = {"_last_ends_line": _last_ends_line, "_fill_len": self._fill_len}
        code = ["def render(call):"]
        pieces: list[str] = []  # the expression of each output piece, in order
        auth_at: int | None = None  # where [authentication] is among the pieces
        after_removing = False
        if any(isinstance(p, Renderer) and isinstance(p.fn, LastHeader) for p in parts):
            code.append("    m = call.last_msg")
        for i, part in enumerate(parts):
            if isinstance(part, Renderer):
                if isinstance(part.fn, LastHeader):  # inlined: the most frequent keyword of a UAS
                    code.append(f"    p{i} = m.header_line({part.fn.header!r}) if m is not None else ''")
                elif isinstance(part.fn, Inline):  # the call's own fields: [call_id], [branch] ...
                    code.append(f"    p{i} = {part.fn.expr}")
                else:
                    env[f"f{i}"] = part.fn
                    code.append(f"    p{i} = f{i}(call)")
                if part.removes_empty_line:
                    before = "".join(f"{p}, " for p in reversed(pieces))
                    code.append(f"    st = p{i}[-1:] == '\\n' if p{i} else _last_ends_line(({before}))")
                pieces.append(f"p{i}")
                after_removing = part.removes_empty_line
                continue
            if isinstance(part, AuthMark):
                auth_at = len(pieces)
                env.update(_ph=AUTH_PLACEHOLDER, _auth=part.credentials, _fill_auth=self._fill_auth)
                pieces.append("_ph")  # seen by the empty-line tests only
                after_removing = False
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
        if auth_at is not None:
            head, tail = _join(pieces[:auth_at]), _join(pieces[auth_at + 1 :])
            code.append(f"    return _fill_auth(_auth, call, {head}, {tail})")
        elif len(self._len_offsets) == 1:  # the usual case: render around the mark, no replace
            at = pieces.index(f"l{next(i for i, p in enumerate(parts) if isinstance(p, LenMark))}")
            before_len, after_len = pieces[:at], pieces[at + 1 :]
            body_len = _constant_body_length(after_len, env)
            if body_len is not None:  # a body of literals only: its length is known now
                env["_len_text"] = f"{body_len + self._len_offsets[0]:5d}"
                code.append(f"    return {_join([*before_len, '_len_text', *after_len])}")
            else:
                env.update(_around_len=_around_len, _len_offset=self._len_offsets[0])
                code.append(f"    return _around_len({_join(before_len)}, {_join(after_len)}, _len_offset)")
        elif self._len_offsets:
            code.append(f"    return _fill_len({_join(pieces)})")
        else:
            code.append(f"    return {_join(pieces)}")
        exec("\n".join(code), env)  # noqa: S102 - code built above from the template's own parts
        return env["render"]  # type: ignore[return-value]

    def _fill_auth(self, credentials: Authentication, call: object, head: str, tail: str) -> str:
        """The message with the `[authentication]` line between the text rendered before it and the
        text after it, `[len]` filled first as SIPp does: the line needs the method and the body (for
        qop auth-int), and goes into the header part (SIPp's fatal error otherwise)."""
        if "\r\n\r\n" in head:
            raise FatalError("The authentication keyword should appear in the message header, not the body!")
        if self._len_offsets:  # with the placeholder between, as SIPp: head and tail do not touch
            cut = len(head) + 4 * head.count(LEN_MARK)  # each mark becomes 5 columns
            text = self._fill_len(head + AUTH_PLACEHOLDER + tail)
            head, tail = text[:cut], text[cut + len(AUTH_PLACEHOLDER) :]
        sep = tail.find("\r\n\r\n")
        body = tail[sep + 4 :] if sep >= 0 else ""
        first = head or tail
        method = "" if first.startswith("SIP/2.0 ") else first.split(" ", 1)[0]
        return head + credentials.line(call, method, body) + tail  # type: ignore[arg-type]

    def _fill_len(self, text: str) -> str:
        """Several `[len]` marks: each replaced by the body length, in 5 columns (see `_around_len`)."""
        sep = text.find("\r\n\r\n")
        body_len = 0 if sep < 0 else len(text) - sep - 4 + 4 * text.count(LEN_MARK, sep)
        for offset in self._len_offsets:
            text = text.replace(LEN_MARK, f"{body_len + offset:5d}", 1)
        return text
