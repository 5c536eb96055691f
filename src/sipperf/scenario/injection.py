"""Injection files (`-inf`, `-infindex`): SIPp's CSV data, read once, one line picked per call.

A file's first line says how calls pick their line: `RANDOM`, `SEQUENTIAL` or `USER` (found as
substrings, in that order), optionally with `PRINTF=n`, `PRINTFOFFSET=n`, `PRINTFMULTIPLE=n`. Then
come the data lines, fields separated by `;`; a line starting with `#` is a comment and the first
empty line ends the file. A trailing CR is cut from every line, as SIPp 3.7 does (3.6.1 keeps it in
the last field). Files are named by their base name (`-inf data/users.csv` is `users.csv`), the first
`-inf` is the default one of `[fieldN]`.

Every call that is not an automatic answer picks one line in every file when it is created
(`InjectionFiles.select`): SEQUENTIAL lines 0, 1, 2... wrapping around, RANDOM any line, USER the
line of the call's user (none without `-users`). SIPp counts SEQUENTIAL lines with a counter per file
that advances with every call, and every such call also takes the next call number, so the line is
derived from the call number: the same lines in one process, and with `-workers` the sequence runs
on across the workers, which share the call numbers. `<insert>` and `<replace>` change the lines of
the process that runs them only (each worker has its own copy).

Errors have SIPp's texts: at load `FatalError` with exit code 1, during the run `FatalError` (the
engine ends the run, exit 255).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from enum import Enum

from sipperf.cnumbers import c_int, parse_double, strtol
from sipperf.errors import EXIT_FAILED_CALLS, FatalError

LINE_TEXT_MAX = 19  # SIPp renders `[fieldN line=...]` into a 20-byte buffer
AUTOMATIC_CALL = "Automatic calls (created by -aa, -oocsn or -oocsf) cannot use input files!"
_DIGITS_AND_FLAGS = "0123456789.-"

Warn = Callable[[str], None]


def _silent(text: str) -> None:
    """Where the warnings of building an index go: SIPp shows none."""


class Order(Enum):
    """How a call picks its line (the file's first line)."""

    RANDOM = "RANDOM"
    SEQUENTIAL = "SEQUENTIAL"
    USER = "USER"


def base_name(path: str) -> str:
    """The name a file goes by: what follows the last `/`, else the last `\\` (SIPp's rule)."""
    cut = path.rfind("/")
    if cut < 0:
        cut = path.rfind("\\")
    return path[cut + 1 :]


class InjectionFile:
    """One loaded file: its lines split into fields, its PRINTF numbering, its optional index."""

    def __init__(
        self, path: str, order: Order, rows: list[list[str]], printf: tuple[int, int, int] | None
    ) -> None:
        self.path = path  # as given with -inf: SIPp's messages name the file so
        self.name = base_name(path)
        self.order = order
        self.rows = rows
        self.printf = printf is not None
        # PRINTF=n gives n virtual lines; field text is formatted with offset + line x multiple
        self.count, self.printf_offset, self.printf_multiple = printf or (len(rows), 0, 1)
        self.index_field = -1  # -infindex: the field the index is built on
        self.index: dict[str, int] = {}
        # SEQUENTIAL: call number `origin_number` takes line `origin_line`, the next ones the next lines
        self.origin_number = 1
        self.origin_line = 0
        self.last_number = 0  # the last call number that picked a line here

    # -- reading ----------------------------------------------------------------------------
    def next_line(self, number: int, userid: int) -> int:
        """The line call `number` (of user `userid`, 0 for none) takes; -1 for none."""
        if self.order is Order.SEQUENTIAL:
            self.last_number = number
            return (self.origin_line + number - self.origin_number) % self.count
        if self.order is Order.RANDOM:
            return random.randrange(self.count)
        if userid == 0:
            return -1
        if userid > self.count:
            raise FatalError(f"{self.path} has only {self.count} lines, yet user {userid} was requested.")
        return userid - 1

    def field(self, line: int, field: int, warn: Warn) -> str:
        """Field `field` of line `line` ("" past the last line, or when the line has fewer fields,
        then with SIPp's warning)."""
        if line < 0 or line >= self.count:
            return ""
        fields = self.rows[line % len(self.rows)]
        if field >= len(fields):
            warn(f"Field {field} not found in the file {self.path}")
            return ""
        text = fields[field]
        if self.printf and text:
            return self._printf(text, self.printf_offset + line * self.printf_multiple)
        return text

    def requested_line(self, text: str) -> int:
        """The line `[fieldN line=...]` asks for, from its rendered text: C `(int) strtod` of the
        whole text (fatal if more follows), -1 (no line) when it is past the end."""
        text = text[:LINE_TEXT_MAX]
        value = parse_double(text)
        if value is None:
            raise FatalError(f"Invalid line number generated: '{text}'")
        line = c_int(value)
        return -1 if line > self.count else line

    @staticmethod
    def _printf(text: str, value: int) -> str:
        """Each `%...d` of the field (digits, `.` and `-` allowed) formatted with `value`. SIPp
        3.6.1 writes `%` for `%%` and then reads the second `%` again as the start of a conversion."""
        out: list[str] = []
        i, end = 0, len(text)
        while i < end:
            if text[i] != "%":
                out.append(text[i])
                i += 1
                continue
            if text[i + 1 : i + 2] == "%":
                out.append("%")
                i += 1
                continue
            j = i + 1
            while j < end and text[j] != "d":
                if text[j] not in _DIGITS_AND_FLAGS:
                    raise FatalError(
                        f"Invalid printf injection field (only decimal values allowed '{text[j]}'): {text}"
                    )
                j += 1
            if j == end:
                raise FatalError(f"Invalid printf injection field (ran off end of line): {text}")
            conversion = text[i : j + 1]
            try:
                out.append(conversion % value)
            except ValueError:  # a sequence C accepts and Python does not ("%1-2d"): left as it is
                out.append(conversion)
            i = j + 1
        return "".join(out)

    # -- the data store: <lookup>, <insert>, <replace> --------------------------------------
    def build_index(self, field: int) -> None:
        """`-infindex`: map the value of `field` to its line (the last line wins)."""
        self.index_field = field
        self.index = {}
        if field >= 0:
            for line in range(self.count):
                self.index[self.field(line, field, _silent)] = line

    def lookup(self, key: str) -> int:
        """`<lookup>`: the line whose indexed field is `key`, -1 when none is."""
        if self.index_field < 0:
            raise FatalError(f"Invalid Index File: {self.path}")
        return self.index.get(key, -1)

    def insert(self, text: str, warn: Warn) -> None:
        """`<insert>`: a new last line; the next SEQUENTIAL call still takes the line it would have."""
        self._check_writable()
        if self.order is Order.SEQUENTIAL:
            self.origin_line = (self.origin_line + self.last_number + 1 - self.origin_number) % self.count
            self.origin_number = self.last_number + 1
        self.rows.append(text.split(";"))
        self.count += 1
        self._reindex(self.count - 1, warn)

    def replace(self, line: int, text: str, warn: Warn) -> None:
        """`<replace>`: line `line` becomes `text`."""
        self._check_writable()
        if line < 0 or line >= len(self.rows):
            raise FatalError(f"Invalid line number ({line}) for file: {self.path} ({len(self.rows)} lines)")
        if self.index_field >= 0:
            key = self.field(line, self.index_field, warn)
            if self.index.get(key) == line:
                del self.index[key]
        self.rows[line] = text.split(";")
        self._reindex(line, warn)

    def _check_writable(self) -> None:
        if self.printf:
            raise FatalError(f"Can not insert or replace into a printf file: {self.path}")

    def _reindex(self, line: int, warn: Warn) -> None:
        if self.index_field >= 0:
            self.index[self.field(line, self.index_field, warn)] = line


class InjectionFiles:
    """The files of the run by name, in `-inf` order; a call's lines are a tuple in that order."""

    def __init__(self, files: Sequence[InjectionFile]) -> None:
        by_name: dict[str, InjectionFile] = {}
        for data in files:
            by_name[data.name] = data  # a later file of the same name replaces the earlier one
        self._by_name = by_name
        self.files = tuple(by_name.values())
        self.names = tuple(by_name)
        self.default = files[0].name  # of `[fieldN]` without file=

    def get(self, name: str) -> InjectionFile | None:
        return self._by_name.get(name)

    def position(self, name: str) -> int:
        """Where file `name`'s line is in a call's lines."""
        return self.names.index(name)

    def select(self, number: int, userid: int) -> tuple[int, ...]:
        """The line call `number` takes in each file."""
        return tuple(data.next_line(number, userid) for data in self.files)


def _fatal(text: str) -> FatalError:
    return FatalError(text, EXIT_FAILED_CALLS)


# PRINTF settings: key -> how SIPp's "requires =" and "invalid end character" errors name it, and
# the characters it accepts after the number
_PRINTF_KEYS = {
    "PRINTF": ("file printf", "file printf", ",\r\n"),
    "PRINTFOFFSET": ("file PRINTFOFFSET", "PRINTFOFFSET", ",\n"),
    "PRINTFMULTIPLE": ("PRINTFMULTIPLE", "PRINTFOFFSET", ",\n"),
}


def _header_number(header: str, key: str, path: str) -> int | None:
    """The number after `key=` in the first line (C strtoul, base 0); None without `key`."""
    start = header.find(key)
    if start < 0:
        return None
    needs_equal, bad_end, ends = _PRINTF_KEYS[key]
    rest = header[start + len(key) :]
    if rest[:1] != "=":
        raise _fatal(f"Invalid {needs_equal} specification (requires =) for {path}:{header}")
    value, after = strtol(rest[1:])
    if after and after[0] not in ends:
        raise _fatal(
            f"Invalid {bad_end} specification for (invalid end character '{after[0]}') {path}:{header}"
        )
    return value


def _printf_settings(header: str, path: str) -> tuple[int, int, int] | None:
    """(virtual lines, offset, multiple) of a PRINTF file, None for another. As in SIPp 3.6.1 the
    first `PRINTF` found may be the start of `PRINTFOFFSET`, which then lacks its `=`."""
    virtual = _header_number(header, "PRINTF", path)
    if virtual is not None and virtual <= 0:
        raise _fatal(f"A printf file must have at least one virtual line {path}:{header}")
    offset = _header_number(header, "PRINTFOFFSET", path)
    multiple = _header_number(header, "PRINTFMULTIPLE", path)
    if virtual is None:
        return None
    return virtual, offset or 0, 1 if multiple is None else multiple


def read_file(path: str) -> InjectionFile:
    """Load one `-inf` file (SIPp's fatal errors, exit 1, when it cannot be used)."""
    try:
        with open(path, "rb") as source:
            data = source.read().decode("latin-1")
    except OSError:
        raise _fatal(f"Unable to open file {path}") from None
    header, *lines = data.split("\n")
    header = header.removesuffix("\r")
    order = next((o for o in Order if o.value in header), None)
    if order is None:
        raise _fatal(f"Unknown file type (valid values are RANDOM, SEQUENTIAL, and USER) for {path}:{header}")
    printf = _printf_settings(header, path)
    rows: list[list[str]] = []
    for line in lines:
        if not line:
            break
        if line[0] != "#":
            rows.append(line.removesuffix("\r").split(";"))
    if not rows:
        raise _fatal(f"Input file has zero lines: {path}")
    return InjectionFile(path, order, rows, printf)


def load_files(paths: Sequence[str], indexes: Sequence[tuple[str, int]]) -> InjectionFiles | None:
    """The `-inf` files, indexed as `-infindex` asks; None without any."""
    if not paths:
        return None
    files = InjectionFiles([read_file(path) for path in paths])
    for name, field in indexes:
        data = files.get(name)
        assert data is not None, name  # the command line checks -infindex names
        data.build_index(field)
    return files
