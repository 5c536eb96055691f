"""A received SIP message, parsed lazily: only what is asked for is looked at.

The hot path needs the start line, Call-ID, CSeq, the top Via branch and the To tag; each is found
by a direct search for its usual spelling, falling back to the full header table (which handles
compact forms, odd case and spacing) only when that search misses. The full table is built on first
use and kept.
"""

from __future__ import annotations

from typing import Final

from sipperf.sip.headers import FULL_TO_COMPACT, canonical, param

SIP_VERSION: Final = "SIP/2.0"


# the usual request methods, so that a kept message shares these strings instead of holding its own
_METHODS: Final[dict[str, str]] = {
    m: m for m in ("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "INFO", "UPDATE", "PRACK",
                   "SUBSCRIBE", "NOTIFY", "MESSAGE", "REFER", "PUBLISH")
}  # fmt: skip
_SEARCH_KEYS: Final[dict[str, tuple[str, ...]]] = {}
_FIRST_KEYS: Final[dict[str, str]] = {}  # `CRLF Name:` for `first`, per name as spelled
_FOLD: Final = (" ", "\t")  # a line starting so continues the header before it


def _search_keys(name: str) -> tuple[str, ...]:
    """`CRLF name:` in lower case, then the compact form's, kept per header name."""
    low = name.lower()
    compact = FULL_TO_COMPACT.get(low)
    keys = (f"\r\n{low}:",) + ((f"\r\n{compact}:",) if compact else ())
    _SEARCH_KEYS[name] = keys
    return keys


def _is_tidy(head: str, start: int, end: int) -> bool:
    """The value between `start` (after the colon) and `end` is one space, then text that neither
    starts nor ends with white space: `Name: value` is then the line exactly as written."""
    return (
        end - start >= 2
        and head[start] == " "
        and head[start + 1] not in _FOLD
        and head[end - 1] not in _FOLD
    )


class MalformedMessage(ValueError):
    """The bytes are not a SIP message sipperf can dispatch (counted and logged, never fatal)."""


class SipMessage:
    """One SIP message as text (latin-1 decoded, so every byte maps to one character)."""

    __slots__ = ("text", "src", "hend", "method", "code", "_table", "_cseq", "_low", "_lines", "_to")

    def __init__(self, text: str) -> None:
        self.text = text
        end = text.find("\r\n\r\n")
        # Headers are searched in src[:hend], where every header line ends with CRLF and starts
        # after one (the start line's); src is the text itself unless the blank line is missing.
        if end >= 0:
            self.src = text
            self.hend = end + 2
        else:
            self.src = text + "\r\n"
            self.hend = len(self.src)
        self._table: dict[str, list[tuple[str, str]]] | None = None
        self._cseq: tuple[int, str] | None = None
        self._low: str | None = None
        self._lines: dict[str, str] | None = None  # header_line results: the 180 and 200 reuse them
        self._to: str | None = None
        if text.startswith("SIP/2.0 "):
            self.method = ""
            try:
                self.code = int(text[8:11])
            except ValueError:
                raise MalformedMessage(f"bad status line '{self.start_line}'") from None
        else:
            space = text.find(" ")
            line_end = text.find("\r\n")
            if line_end < 0:
                line_end = len(text)
            if space <= 0 or space > line_end or text.find(SIP_VERSION, space, line_end) < 0:
                raise MalformedMessage(f"bad request line '{self.start_line}'")
            method = text[:space]
            self.method = _METHODS.get(method, method)
            self.code = 0

    @property
    def start_line(self) -> str:
        text = self.text
        end = text.find("\r\n")
        return text if end < 0 else text[:end]

    @staticmethod
    def from_bytes(data: bytes) -> SipMessage:
        return SipMessage(data.decode("latin-1"))

    @property
    def is_request(self) -> bool:
        return self.code == 0

    @property
    def body(self) -> str:
        end = self.text.find("\r\n\r\n")
        return "" if end < 0 else self.text[end + 4 :]

    # -- the full header table -------------------------------------------------------------
    def _headers(self) -> dict[str, list[tuple[str, str]]]:
        """lower-case full name -> [(name as written, value)], continuation lines unfolded."""
        table = self._table
        if table is None:
            table = {}
            lines = self.src[: self.hend - 2].split("\r\n")[1:]
            entries: list[list[str]] = []
            for line in lines:
                if line[:1] in (" ", "\t") and entries:
                    entries[-1][1] += " " + line.strip()
                    continue
                colon = line.find(":")
                if colon <= 0:
                    continue
                entries.append([line[:colon].rstrip(), line[colon + 1 :].strip()])
            for name, value in entries:
                table.setdefault(canonical(name), []).append((name, value))
            self._table = table
        return table

    def drop_caches(self) -> None:
        """Forget what the lookups kept (the lower-case head, header lines, the table): for a
        message kept a long time and rarely read again."""
        self._low = None
        self._lines = None
        self._table = None

    def values(self, name: str) -> list[str]:
        """Every value of header `name` (full or compact form, any case), in message order."""
        return [value for _, value in self._headers().get(canonical(name), ())]

    def _lower_head(self) -> str:
        low = self._low
        if low is None:
            low = self._low = self.src[: self.hend].lower()
        return low

    def _lines_named(self, key: str) -> list[tuple[str, str]]:
        """Every header line starting with `key` (`CRLF name:` in lower case): (name as written,
        value). A direct case-insensitive search, as SIPp does; continuation lines are unfolded."""
        low = self._lower_head()
        head = self.src
        found: list[tuple[str, str]] = []
        pos = low.find(key)
        while pos >= 0:
            start = pos + len(key)
            end = head.find("\r\n", start)
            value = head[start:end].strip()
            while head.startswith(_FOLD, end + 2):
                nxt = head.find("\r\n", end + 2)
                value += " " + head[end + 2 : nxt].strip()
                end = nxt
            found.append((head[pos + 2 : start - 1], value))
            pos = low.find(key, end)
        return found

    def header_line(self, name: str) -> str:
        """SIPp's `[last_<name>:]`: `Name: v1, v2` from every header of that name, or "".

        As SIPp 3.6.1: the name is written as received; the compact form is used only when the full
        form is absent. Results are kept: the 180 and the 200 of a UAS copy the same lines.
        """
        cache = self._lines
        if cache is None:
            cache = self._lines = {}
        else:
            line = cache.get(name)
            if line is not None:
                return line
        keys = _SEARCH_KEYS.get(name) or _search_keys(name)
        low = self._lower_head()
        key = keys[0]
        pos = low.find(key)
        if pos < 0 and len(keys) > 1:
            key = keys[1]
            pos = low.find(key)
        if pos < 0:
            line = ""
        else:
            head = self.src
            start = pos + len(key)
            end = head.find("\r\n", start)
            if not head.startswith(_FOLD, end + 2) and low.find(key, end) < 0:  # one plain line
                if _is_tidy(head, start, end):  # `Name: value` as written: the line itself
                    line = head[pos + 2 : end]
                else:
                    line = f"{head[pos + 2 : start - 1]}: {head[start:end].strip()}"
            else:
                found = self._lines_named(key)
                line = f"{found[0][0]}: " + ", ".join([value for _, value in found])
        cache[name] = line
        return line

    def first(self, spelled: str) -> str | None:
        """The first value of a header given in its usual spelling (`Call-ID`), fast path first."""
        key = _FIRST_KEYS.get(spelled)
        if key is None:
            key = _FIRST_KEYS[spelled] = f"\r\n{spelled}:"
        head = self.src
        start = head.find(key, 0, self.hend)
        if start >= 0:
            start += len(key)
            end = head.find("\r\n", start)
            if not head.startswith(_FOLD, end + 2):
                return head[start:end].strip()
        found = self._headers().get(canonical(spelled))
        return found[0][1] if found else None

    def loose_digest(self) -> int:
        """SIPp's `-rtcheck loose` identity: To, From, Call-ID, CSeq (+ status line and body of a
        response); never 0."""
        parts: tuple = (self.first("To"), self.first("From"), self.call_id, self.first("CSeq"))
        if self.code:
            parts += (self.start_line, self.body)
        return hash(parts) or 1

    # -- typed slots the engine uses on every message ---------------------------------------
    @property
    def call_id(self) -> str | None:
        return self.first("Call-ID")

    @property
    def cseq(self) -> tuple[int, str]:
        """(number, method) of the CSeq header; (0, "") when absent or malformed."""
        cached = self._cseq
        if cached is None:
            value = self.first("CSeq") or ""
            space = value.find(" ")
            try:
                if space > 0 and value.find(" ", space + 1) < 0 and "\t" not in value:
                    cached = (int(value[:space]), value[space + 1 :])  # `N METHOD`, one space
                else:
                    parts = value.split()
                    cached = (int(parts[0]), parts[1] if len(parts) > 1 else "")
            except (ValueError, IndexError):
                cached = (0, "")
            self._cseq = cached
        return cached

    @property
    def to(self) -> str | None:
        """The To header's value (looked up once)."""
        to = self._to
        if to is None:
            to = self._to = self.first("To")
        return to

    @property
    def to_tag(self) -> str | None:
        to = self.to
        return None if to is None else param(to, "tag")

    @property
    def has_to(self) -> bool:
        return self.to is not None

    @property
    def via_branch(self) -> str | None:
        via = self.first("Via")
        if via is None:
            return None
        return param(via.split(",", 1)[0], "branch")
