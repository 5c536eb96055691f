"""What `<action>` blocks do: SIPp's actions, parsed once when the scenario loads, run per call.

`parse_actions` turns an `<action>` element into a tuple of `Action`s, with SIPp's attribute rules
and its load-time errors (`ScenarioError`, file:line). Everything an action needs is decided there:
regular expressions compiled, templated attributes compiled, variables resolved to `VarRef`s. An
action then runs against an `ActionContext` (the engine's call) and returns None, or the name of the
SIPp failure counter that fails the call; `run_actions` runs a block and stops at the first failure.
Each action is a named tuple, immutable: as frozen dataclasses the 22 of them cost 9 ms of every
run's start-up to create, a named tuple a sixth of that.

Media actions (`play_pcap_*`, `play_dtmf`, `rtp_stream`, `rtp_echo`) are validated and then refused
at load time. The injection-file data store (`lookup`, `insert`, `replace`) works on the `-inf` files
in memory; as in SIPp, which file is checked when the action runs (its name is a template).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from lxml import etree

from sipperf.cnumbers import atol, c_int, parse_bool, parse_double
from sipperf.errors import FatalError, ScenarioError
from sipperf.scenario.distributions import Distribution, parse_distribution
from sipperf.scenario.injection import InjectionFile
from sipperf.scenario.posix_regex import PosixPattern, PosixRegexError, compile_ere
from sipperf.scenario.variables import (
    Scope,
    Value,
    VariableNames,
    VarRef,
    as_double,
    as_text,
    to_double,
)
from sipperf.sip.digest import DigestError, verify_authorization

REGEXP_DOESNT_MATCH = "FailedRegexpDoesntMatch"
REGEXP_HDR_NOT_FOUND = "FailedRegexpHdrNotFound"
REGEXP_SHOULDNT_MATCH = "FailedRegexpShouldntMatch"
TEST_DOESNT_MATCH = "FailedTestDoesntMatch"
TEST_SHOULDNT_MATCH = "FailedTestShouldntMatch"
STRCMP_DOESNT_MATCH = "FailedStrcmpDoesntMatch"
STRCMP_SHOULDNT_MATCH = "FailedStrcmpShouldntMatch"
CALL_REJECTED = "FailedCallRejected"

_MAX_HEADER_TEXT = 2048  # SIPp copies a header value into a 2049-byte buffer


class ActionContext(Protocol):
    """What actions need from the call they run for (implemented by the engine's call)."""

    step_index: int  # index of the step whose actions run
    message: str  # the message the actions look at: received (recv) or just sent (send); "" otherwise

    def variables(self, scope: Scope) -> dict[str, Value]:
        """The variable table of this call, of its user, or the global one (name -> value)."""

    def render(self, template: object) -> str:
        """A templated attribute (as `compile_template` returned it) rendered for this call."""

    def warning(self, text: str) -> None:
        """A SIPp warning (counted, error log, screen)."""

    def log(self, text: str) -> None:
        """A `-trace_logs` line (the engine adds the newline)."""

    def error(self, text: str) -> None:
        """A fatal error (SIPp exits 255); does not return in the engine."""

    def jump(self, index: int) -> None:
        """Continue at step `index` (the next step to run; the step count ends the call)."""

    def stop_call(self) -> None:
        """`exec int_cmd="stop_call"`: end this call as failed, as SIPp does on this kind of step."""

    def stop_gracefully(self) -> None:
        """`exec int_cmd="stop_gracefully"`: stop placing calls, exit when they are over (key q)."""

    def stop_now(self) -> None:
        """`exec int_cmd="stop_now"`: exit now (code 97), after the usual exit reporting."""

    def run_command(self, command: str) -> None:
        """`exec command=`: run it with /bin/sh -c, without waiting for it."""

    def set_dest(self, host: str, port: int, protocol: str) -> None:
        """`<setdest>`: send this call's next messages to host:port; protocol is udp, tcp, tls or sctp
        (the engine refuses a change of transport as SIPp does)."""

    def close_connection(self) -> None:
        """`<closecon>`: close this call's own connection (TCP). On UDP with the shared socket
        there is nothing of the call's to close (SIPp 3.6.1 then asserts at the call's next send)."""

    def pause_restore(self, ms: float) -> None:
        """`<pauserestore>`: the call's pause ends at this time (the engine clock, as stored in
        `$_unexp.pausedaddr`)."""

    def injection_file(self, name: str) -> InjectionFile | None:
        """The `-inf` file of base name `name`; None when no -inf loaded it."""


class Action(Protocol):
    """One parsed action; `run` returns None, or the SIPp failure counter that fails the call."""

    @property
    def line(self) -> int: ...

    def run(self, ctx: ActionContext) -> str | None: ...


def run_actions(actions: tuple[Action, ...], ctx: ActionContext) -> str | None:
    """Run an action block in order; the first failure stops it and is returned."""
    for action in actions:
        failure = action.run(ctx)
        if failure is not None:
            return failure
    return None


def _get(ctx: ActionContext, ref: VarRef) -> Value | None:
    return ctx.variables(ref.scope).get(ref.name)


def _set(ctx: ActionContext, ref: VarRef, value: Value) -> None:
    ctx.variables(ref.scope)[ref.name] = value


# -- runtime ------------------------------------------------------------------------------------
class Ereg(NamedTuple):
    """`<ereg>`: a POSIX regular expression searched in the message, a header, the body or a
    variable; the match and its groups go to `targets` (a variable keeps its value on no match)."""

    line: int
    pattern: PosixPattern
    where: str  # msg, hdr, body or var
    targets: tuple[VarRef, ...]
    header: str = ""
    case_indep: bool = False
    occurrence: int = 1
    start_line: bool = False
    source: VarRef | None = None
    check_it: bool = False
    check_it_inverse: bool = False

    def run(self, ctx: ActionContext) -> str | None:
        if len(self.targets) > 10:
            ctx.error("You can only have nine sub expressions!")
            return None
        message = ctx.message
        if self.where == "hdr":
            haystack = header_text(message, self.header, self.case_indep, self.occurrence, self.start_line)
            if self.check_it and not haystack:
                ctx.warning(f"Failed regexp match: header {self.header} not found in message\n{message}\n")
                return REGEXP_HDR_NOT_FOUND
        elif self.where == "body":
            at = message.find("\r\n\r\n")
            if at < 0 and self.check_it:
                ctx.warning(f"Failed regexp match: body not found in message\n{message}\n")
                return REGEXP_HDR_NOT_FOUND
            haystack = message[at + 4 :] if at >= 0 else ""
        elif self.source is not None:
            haystack = as_text(_get(ctx, self.source))
        else:
            haystack = message
        found = self.pattern.search(haystack)
        if found is not None:
            # groups beyond the pattern's are not assigned (regexec leaves them unset)
            for target, text in zip(self.targets, found, strict=False):
                _set(ctx, target, text)
        regexp = self.pattern.pattern
        if found is None and self.check_it:
            ctx.warning(f"Failed regexp match: looking in '{haystack}', with regexp '{regexp}'")
            return REGEXP_DOESNT_MATCH
        if found is not None and self.check_it_inverse:
            ctx.warning(f"Regexp matched but should not: looking in '{haystack}', with regexp '{regexp}'")
            return REGEXP_SHOULDNT_MATCH
        return None


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def header_text(message: str, name: str, case_indep: bool, occurrence: int, start_line: bool) -> str:
    """SIPp's `extractSubMessage` for `ereg search_in="hdr"`: find `name` as a plain substring of the
    whole message (the `occurrence`-th one; with `start_line` only at the start of a line), and return
    what follows it up to the end of that line. "" when not found."""
    size, end = len(name), len(message)
    text = message.translate(_ASCII_LOWER) if case_indep else message
    key = name.translate(_ASCII_LOWER) if case_indep else name
    pos = 0
    while pos < end:
        if not case_indep:
            pos = text.find(key, pos)
            if pos < 0:
                return ""
            if start_line and pos and text[pos - 1] != "\n":
                pos += 1
                continue
        else:
            if not start_line:
                pos = text.find(key[0], pos)
            elif pos:
                pos = text.find("\n", pos) + 1
                if pos == 0 or pos == end:
                    return ""
            if pos < 0:
                return ""
            if text[pos : pos + size] != key:
                pos += 1
                continue
        if occurrence <= 1:
            break
        occurrence -= 1
        pos += 1
    if pos >= end:
        return ""
    start = pos + size
    stop = start
    limit = min(end, start + _MAX_HEADER_TEXT)
    while stop < limit and message[stop] not in "\r\n":
        stop += 1
    return message[start:stop]


class Log(NamedTuple):
    """`<log>`, `<warning>` and `<error>`: the rendered message goes to one of the context's outputs."""

    line: int
    message: object
    output: Callable[[ActionContext, str], None]

    def run(self, ctx: ActionContext) -> str | None:
        self.output(ctx, ctx.render(self.message))
        return None


class Command(NamedTuple):
    """`<exec command=...>`: a shell command, rendered for the call."""

    line: int
    command: object

    def run(self, ctx: ActionContext) -> str | None:
        ctx.run_command(ctx.render(self.command))
        return None


class InternalCommand(NamedTuple):
    """`<exec int_cmd=...>`: stop_call (SIPp's default for any other value), stop_gracefully, stop_now."""

    line: int
    command: str

    def run(self, ctx: ActionContext) -> str | None:
        if self.command == "stop_now":
            ctx.stop_now()
        elif self.command == "stop_gracefully":
            ctx.stop_gracefully()
        else:
            ctx.stop_call()
            return CALL_REJECTED
        return None


class Operand(NamedTuple):
    """The right-hand side of arithmetic, `<test>`, `<jump>` and `<pauserestore>`: a number or a variable."""

    value: float
    variable: VarRef | None = None

    def get(self, ctx: ActionContext) -> float:
        return self.value if self.variable is None else as_double(_get(ctx, self.variable))

    @property
    def name(self) -> str:
        return self.variable.name if self.variable is not None else ""

    @property
    def sipp_id(self) -> int:
        return self.variable.sipp_id if self.variable is not None else 0


def _assign(current: float, operand: float) -> float:
    return operand


def _divide(current: float, operand: float) -> float:
    return current / operand


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "assign": _assign,
    "add": float.__add__,
    "subtract": float.__sub__,
    "multiply": float.__mul__,
    "divide": _divide,
}


class Arithmetic(NamedTuple):
    """`<assign>`, `<add>`, `<subtract>`, `<multiply>`, `<divide>`: target = target op operand,
    the target read as a double (0 when it is not one). Dividing by zero is a warning."""

    line: int
    kind: str
    target: VarRef
    operand: Operand

    def run(self, ctx: ActionContext) -> str | None:
        operand = self.operand.get(ctx)
        if operand == 0 and self.kind == "divide":
            ctx.warning(
                f"Action failure: Can not divide by zero (${self.target.sipp_id}/${self.operand.sipp_id})!\n"
            )
            return None
        _set(ctx, self.target, _ARITHMETIC[self.kind](as_double(_get(ctx, self.target)), operand))
        return None


class AssignString(NamedTuple):
    """`<assignstr>`: the rendered value as a string."""

    line: int
    target: VarRef
    value: object

    def run(self, ctx: ActionContext) -> str | None:
        _set(ctx, self.target, ctx.render(self.value))
        return None


class Sample(NamedTuple):
    """`<sample>`: a draw of a distribution, as a double."""

    line: int
    target: VarRef
    distribution: Distribution

    def run(self, ctx: ActionContext) -> str | None:
        _set(ctx, self.target, self.distribution.sample())
        return None


class ToDouble(NamedTuple):
    """`<todouble>`: a string or match converted to a double (a warning when it is not a number)."""

    line: int
    target: VarRef
    source: VarRef

    def run(self, ctx: ActionContext) -> str | None:
        value = to_double(_get(ctx, self.source))
        if value is None:
            ctx.warning(f"Invalid double conversion from ${self.source.sipp_id} to ${self.target.sipp_id}")
        else:
            _set(ctx, self.target, value)
        return None


class TimeOfDay(NamedTuple):
    """`<gettimeofday>`: seconds and microseconds since the epoch, as doubles."""

    line: int
    seconds: VarRef
    microseconds: VarRef

    def run(self, ctx: ActionContext) -> str | None:
        seconds, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
        _set(ctx, self.seconds, float(seconds))
        _set(ctx, self.microseconds, float(nanoseconds // 1000))
        return None


class Index(NamedTuple):
    """`<index>`: the index of the running step, as a double."""

    line: int
    target: VarRef

    def run(self, ctx: ActionContext) -> str | None:
        _set(ctx, self.target, float(ctx.step_index))
        return None


class TextEdit(NamedTuple):
    """`<trim>`, `<urlencode>`, `<urldecode>`: a variable's text, transformed in place (as a string)."""

    line: int
    target: VarRef
    edit: Callable[[str], str]

    def run(self, ctx: ActionContext) -> str | None:
        _set(ctx, self.target, self.edit(as_text(_get(ctx, self.target))))
        return None


_C_SPACE = " \t\n\v\f\r"
_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def trim(text: str) -> str:
    """C-locale white space stripped from both ends."""
    return text.strip(_C_SPACE)


def url_encode(text: str) -> str:
    """SIPp's url_encode: letters, digits and `-_.~` kept, every other byte as `%XX`."""
    return "".join(ch if ch in _URL_SAFE else f"%{ord(ch):02X}" for ch in text)


def url_decode(text: str) -> str:
    """SIPp's url_decode: `+` is a space and `%xx` a byte. A `%` always consumes the two characters
    after it; of those, the leading hex digits make the byte (none: the `%` and them are dropped)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            digits = text[i + 1 : i + 3]
            count = next((n for n, d in enumerate(digits) if d not in _HEX_DIGITS), len(digits))
            if count:
                out.append(chr(int(digits[:count], 16)))
            i += 3
        else:
            out.append(" " if ch == "+" else ch)
            i += 1
    return "".join(out)


_COMPARATORS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "equal": ("==", float.__eq__),
    "not_equal": ("!=", float.__ne__),
    "greater_than": (">", float.__gt__),
    "less_than": ("<", float.__lt__),
    "greater_than_equal": (">=", float.__ge__),
    "less_than_equal": ("<=", float.__le__),
}


class Test(NamedTuple):
    """`<test>`: a numeric comparison of doubles, stored as a bool; with check_it (check_it_inverse)
    a false (true) result fails the call."""

    line: int
    target: VarRef | None
    left: VarRef
    right: Operand
    compare: str  # a key of _COMPARATORS
    check_it: bool = False
    check_it_inverse: bool = False

    def run(self, ctx: ActionContext) -> str | None:
        left = as_double(_get(ctx, self.left))
        right = self.right.get(ctx)
        symbol, compare = _COMPARATORS[self.compare]
        result = compare(left, right)
        if (self.check_it and not result) or (self.check_it_inverse and result):
            suffix = "" if self.check_it else "_inverse"
            ctx.warning(f'test "{self.left.name}:{left:f} {symbol} {self.right.name}:{right:f}" '
                        f"with check_it{suffix} failed")  # fmt: skip
            return TEST_DOESNT_MATCH if self.check_it else TEST_SHOULDNT_MATCH
        if self.target is not None:
            _set(ctx, self.target, result)
        return None


def c_strcmp(left: str, right: str) -> int:
    """C strcmp as glibc returns it: the difference of the first differing bytes, 0 when equal."""
    for a, b in zip(left, right, strict=False):
        if a != b:
            return ord(a) - ord(b)
    if len(left) == len(right):
        return 0
    return ord(left[len(right)]) if len(left) > len(right) else -ord(right[len(left)])


class Strcmp(NamedTuple):
    """`<strcmp>`: C strcmp of two texts, stored as a double; with check_it (check_it_inverse)
    different (equal) texts fail the call."""

    line: int
    target: VarRef | None
    left: VarRef
    right_value: str
    right_variable: VarRef | None
    check_it: bool = False
    check_it_inverse: bool = False

    def run(self, ctx: ActionContext) -> str | None:
        left = as_text(_get(ctx, self.left))
        right = self.right_value if self.right_variable is None else as_text(_get(ctx, self.right_variable))
        result = c_strcmp(left, right)
        if (self.check_it and result) or (self.check_it_inverse and not result):
            right_name = self.right_variable.name if self.right_variable else ""
            suffix = "" if self.check_it else "_inverse"
            ctx.warning(f'strcmp {self.left.name}:"{left}" and {right_name}:"{right}" '
                        f"with check_it{suffix} returned {result}")  # fmt: skip
            return STRCMP_DOESNT_MATCH if self.check_it else STRCMP_SHOULDNT_MATCH
        if self.target is not None:
            _set(ctx, self.target, float(result))
        return None


class Jump(NamedTuple):
    """`<jump>`: continue at a step index (an error when it is the current step or out of range)."""

    line: int
    operand: Operand
    step_count: Callable[[], int]

    def range_error(self, count: int) -> str | None:
        """For a literal target, SIPp's error when it is outside 0..count (checked at load time)."""
        target = c_int(self.operand.value)
        if self.operand.variable is None and not 0 <= target <= count:
            return f"Jump statement out of range (not 0 <= {target} <= {count})"
        return None

    def run(self, ctx: ActionContext) -> str | None:
        target = c_int(self.operand.get(ctx))
        count = self.step_count()
        if target == ctx.step_index:
            ctx.error(f"Jump statement at index {target} jumps to itself and causes an infinite loop")
        elif not 0 <= target <= count:
            ctx.error(f"Jump statement out of range (not 0 <= {target} <= {count})")
        else:
            ctx.jump(target)
        return None


class PauseRestore(NamedTuple):
    """`<pauserestore>`: set the end of the call's pause (with `$_unexp.pausedaddr`)."""

    line: int
    operand: Operand

    def run(self, ctx: ActionContext) -> str | None:
        ctx.pause_restore(self.operand.get(ctx))
        return None


class VerifyAuth(NamedTuple):
    """`<verifyauth>`: does the received request's Authorization carry the digest of this user and
    password? Stored as a bool."""

    line: int
    target: VarRef
    username: object
    password: object

    def run(self, ctx: ActionContext) -> str | None:
        message = ctx.message
        space, line_end = message.find(" "), message.find("\n")
        result = False
        if 0 <= space < line_end:
            at = message.find("\r\n\r\n")
            try:
                result = verify_authorization(
                    ctx.render(self.username),
                    ctx.render(self.password),
                    message[:space],
                    _header_values(message, "authorization"),
                    message[at + 4 :] if at >= 0 else "",
                )
            except DigestError as err:
                ctx.warning(str(err))
        _set(ctx, self.target, result)
        return None


def _header_values(message: str, name: str) -> str:
    """The values of every header `name` (lower case) of a message, joined by ", "."""
    head = message.split("\r\n\r\n", 1)[0]
    values = []
    for line in head.split("\r\n")[1:]:
        field, colon, value = line.partition(":")
        if colon and field.strip(" \t").lower() == name:
            values.append(value.strip(" \t"))
    return ", ".join(values)


_PROTOCOLS = frozenset({"udp", "UDP", "tcp", "TCP", "tls", "TLS", "sctp", "SCTP"})


class SetDest(NamedTuple):
    """`<setdest>`: the call's destination, from rendered host, port and protocol."""

    line: int
    host: object
    port: object
    protocol: object

    def run(self, ctx: ActionContext) -> str | None:
        port_text = ctx.render(self.port)
        port = parse_double(port_text)
        protocol = ctx.render(self.protocol)
        if port is None:
            ctx.error(f"Invalid port for setdest: {port_text}")
        elif protocol not in _PROTOCOLS:
            ctx.error(f"Unknown transport for setdest: '{protocol}'")
        else:
            ctx.set_dest(ctx.render(self.host), c_int(port), protocol.lower())
        return None


def _injection_file(ctx: ActionContext, name: str, action: str) -> InjectionFile:
    data = ctx.injection_file(name)
    if data is None:
        raise FatalError(f"Invalid injection file for {action}: {name}")
    return data


class Lookup(NamedTuple):
    """`<lookup>`: the line of the file's index holding the rendered key (-1 when none) as a double."""

    line: int
    target: VarRef
    file: object
    key: object

    def run(self, ctx: ActionContext) -> str | None:
        name, key = ctx.render(self.file), ctx.render(self.key)
        data = _injection_file(ctx, name, "insert")  # SIPp's text for a lookup too
        _set(ctx, self.target, float(data.lookup(key)))
        return None


class Insert(NamedTuple):
    """`<insert>`: a new last line in the file (in memory)."""

    line: int
    file: object
    value: object

    def run(self, ctx: ActionContext) -> str | None:
        name, value = ctx.render(self.file), ctx.render(self.value)
        _injection_file(ctx, name, "insert").insert(value, ctx.warning)
        return None


class Replace(NamedTuple):
    """`<replace>`: a line of the file becomes the rendered value (in memory)."""

    line: int
    file: object
    number: object  # the `line` attribute
    value: object

    def run(self, ctx: ActionContext) -> str | None:
        name, number, value = ctx.render(self.file), ctx.render(self.number), ctx.render(self.value)
        data = _injection_file(ctx, name, "replace")
        line = parse_double(number)
        if line is None:
            raise FatalError(f"Invalid line number for replace: {number}")
        data.replace(c_int(line), value, ctx.warning)
        return None


class CloseConnection(NamedTuple):
    """`<closecon>`: close the call's connection."""

    line: int

    def run(self, ctx: ActionContext) -> str | None:
        ctx.close_connection()
        return None


# -- load time ----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Reader:
    """One action element being parsed: its attributes read with SIPp's rules and error texts."""

    tag: str
    attrs: dict[str, str]
    line: int
    path: str
    names: VariableNames
    compile_template: Callable[[str, int], object]
    step_index: int  # of the step the action belongs to
    step_count: Callable[[], int]
    in_recv: bool  # the step is a recv or recvCmd

    def fail(self, what: str) -> ScenarioError:
        return ScenarioError(self.path, self.line, what)

    def string(self, name: str) -> str:
        value = self.attrs.get(name)
        if value is None:
            raise self.fail(f"{self.tag} is missing the required '{name}' parameter.")
        return value

    def template(self, name: str) -> object:
        return self.compile_template(self.string(name), self.line)

    def var(self, name: str, what: str | None = None) -> VarRef:
        what = what or self.tag
        value = self.attrs.get(name)
        if value is None:
            raise self.fail(f"{what} is missing the required '{name}' variable parameter.")
        return self.names.use(value, self.line, what)

    def double(self, name: str) -> float:
        value = parse_double(self.attrs[name])
        if value is None:
            raise self.fail(
                f"{self.tag} '{name}' parameter, \"{self.attrs[name]}\" is not a floating point number!"
            )
        return value

    def flag(self, name: str) -> bool:
        text = self.attrs.get(name)
        if text is None:
            return False
        value = parse_bool(text)
        if value is None:
            raise self.fail(f"{self.tag} '{name}' parameter, \"{text}\" is not a valid boolean!")
        return value

    def checks(self) -> tuple[bool, bool]:
        """check_it and check_it_inverse, which may not both be present."""
        if "check_it" in self.attrs and "check_it_inverse" in self.attrs:
            self.flag("check_it")
            raise self.fail(f"Can not have both check_it and check_it_inverse for {self.tag}!")
        return self.flag("check_it"), self.flag("check_it_inverse")

    def operand(self) -> Operand:
        """SIPp's handle_rhs: exactly one of `value` (a number) and `variable`."""
        if "value" in self.attrs:
            value = self.double("value")
            if "variable" in self.attrs:
                raise self.fail(f"Value and variable are mutually exclusive for {self.tag} action!")
            return Operand(value, None)
        if "variable" in self.attrs:
            return Operand(0.0, self.var("variable"))
        raise self.fail(f"No value or variable defined for {self.tag} action!")

    def var_list(self) -> list[str]:
        value = self.attrs.get("assign_to")
        if value is None:
            raise self.fail("assign_to value is missing")
        return value.split(",")


def _ereg(r: _Reader) -> Action:
    regexp = r.string("regexp")
    case_indep = r.flag("case_indep")
    start_line = r.flag("start_line")
    where = r.attrs.get("search_in", "msg")
    header, occurrence, source = "", 1, None
    if where == "var":
        source = r.var("variable")
    elif where == "hdr":
        header = r.attrs.get("header", "")
        if not header:
            raise r.fail('search_in="hdr" requires header field')
        occurrence = atol(r.attrs.get("occurrence", r.attrs.get("occurence", "1")))
    elif where not in ("msg", "body"):
        raise r.fail(f"Unknown search_in value {where}")
    check_it, check_it_inverse = r.checks()
    names = r.var_list()
    first = r.names.use(names[0], r.line, "assign_to")
    try:
        pattern = compile_ere(regexp)
    except PosixRegexError as err:
        raise r.fail(f"recomp error : regular expression '{regexp}' - error '{err}'") from None
    subs = [r.names.use(name, r.line, "sub expression assign_to") for name in names[1:]]
    return Ereg(r.line, pattern, where, (first, *subs), header=header, case_indep=case_indep,
                occurrence=occurrence, start_line=start_line, source=source, check_it=check_it,
                check_it_inverse=check_it_inverse)  # fmt: skip


def _logging(output: Callable[[ActionContext, str], None]) -> Callable[[_Reader], Action]:
    return lambda r: Log(r.line, r.template("message"), output)


def _arithmetic(r: _Reader) -> Action:
    target = r.var("assign_to")
    operand = r.operand()
    if r.tag == "divide" and operand.variable is None and operand.value == 0:
        raise r.fail("divide actions can not have a value of zero!")
    return Arithmetic(r.line, r.tag, target, operand)


def _gettimeofday(r: _Reader) -> Action:
    names = r.var_list()
    if len(names) != 2:
        raise r.fail("The gettimeofday action requires two output variables!")
    seconds = r.names.use(names[0], r.line, "gettimeofday seconds assign_to")
    return TimeOfDay(r.line, seconds, r.names.use(names[1], r.line, "gettimeofday useconds assign_to"))


def _comparison(r: _Reader) -> tuple[VarRef | None, VarRef, bool, bool]:
    """What `<test>` and `<strcmp>` share: check flags, the optional target, the left variable."""
    check_it, check_it_inverse = r.checks()
    target = None
    if "assign_to" in r.attrs or ("check_it" not in r.attrs and "check_it_inverse" not in r.attrs):
        target = r.var("assign_to")
    return target, r.var("variable"), check_it, check_it_inverse


def _test(r: _Reader) -> Action:
    target, left, check_it, check_it_inverse = _comparison(r)
    if "value" in r.attrs:
        right = Operand(r.double("value"), None)
        if "variable2" in r.attrs:
            raise r.fail("Can not have both a value and a variable2 for test!")
    else:
        right = Operand(0.0, r.var("variable2"))
    compare = r.string("compare")
    if compare not in _COMPARATORS:
        raise r.fail(f"Invalid 'compare' parameter: {compare}")
    return Test(r.line, target, left, right, compare, check_it, check_it_inverse)


def _strcmp(r: _Reader) -> Action:
    target, left, check_it, check_it_inverse = _comparison(r)
    value, variable = "", None
    if "value" in r.attrs:
        value = r.attrs["value"]
        if "variable2" in r.attrs:
            raise r.fail("Can not have both a value and a variable2 for strcmp!")
    else:
        variable = r.var("variable2")
    return Strcmp(r.line, target, left, value, variable, check_it, check_it_inverse)


_MEDIA = ("play_pcap_audio", "play_pcap_image", "play_pcap_video", "play_dtmf", "rtp_stream", "rtp_echo")


def _exec(r: _Reader) -> Action:
    if "command" in r.attrs:
        return Command(r.line, r.template("command"))
    if "int_cmd" in r.attrs:
        return InternalCommand(r.line, r.attrs["int_cmd"])
    for attr in _MEDIA:
        if attr in r.attrs:
            _check_media(r, attr, r.attrs[attr])
            raise r.fail(f"<exec {attr}> is not supported yet")
    raise r.fail("illegal <exec> in the scenario")


def _check_media(r: _Reader, attr: str, value: str) -> None:
    """The load-time checks SIPp makes of a media action before sipperf refuses it."""
    if attr == "play_dtmf":
        r.template(attr)
        return
    keyword = value.startswith("[") and value.endswith("]")
    if attr.startswith("play_pcap_") and not keyword and not os.path.exists(value):
        raise r.fail(f"Can't open PCAP file '{value}': {value}: {os.strerror(errno.ENOENT)}")
    file = value.split(",", 1)[0]
    if attr == "rtp_stream" and value not in ("pause", "resume") and not keyword and not os.path.exists(file):
        raise r.fail(f"Cannot read/cache rtpstream file {file}")


def _rtp_echo(r: _Reader) -> Action:
    r.operand()
    raise r.fail("<rtp_echo> is not supported yet")


def _jump(r: _Reader) -> Action:
    jump = Jump(r.line, r.operand(), r.step_count)
    if jump.operand.variable is None and not r.in_recv and c_int(jump.operand.value) == r.step_index:
        # SIPp finds it when the jump runs; on a recv its check is against the call's position
        raise r.fail(f"Jump statement at index {r.step_index} jumps to itself and causes an infinite loop")
    return jump


def _sample(r: _Reader) -> Action:
    target = r.var("assign_to")
    distribution = parse_distribution(r.attrs, r.path, r.line, for_sample=True)
    if distribution is None:  # for_sample: parse_distribution raises instead
        raise r.fail("statistically distributed actions or pauses requires 'distribution' parameter")
    return Sample(r.line, target, distribution)


def _verifyauth(r: _Reader) -> Action:
    target = r.var("assign_to")
    username = r.template("username")
    return VerifyAuth(r.line, target, username, r.template("password"))


def _setdest(r: _Reader) -> Action:
    host, port = r.template("host"), r.template("port")
    return SetDest(r.line, host, port, r.template("protocol"))


def _text_edit(edit: Callable[[str], str], attr: str) -> Callable[[_Reader], Action]:
    return lambda r: TextEdit(r.line, r.var(attr), edit)


_PARSERS: dict[str, Callable[[_Reader], Action]] = {
    "ereg": _ereg,
    "log": _logging(lambda ctx, text: ctx.log(text)),
    "warning": _logging(lambda ctx, text: ctx.warning(text)),
    "error": _logging(lambda ctx, text: ctx.error(text)),
    "assign": _arithmetic,
    "assignstr": lambda r: AssignString(r.line, r.var("assign_to"), r.template("value")),
    "gettimeofday": _gettimeofday,
    "index": lambda r: Index(r.line, r.var("assign_to")),
    "jump": _jump,
    "pauserestore": lambda r: PauseRestore(r.line, r.operand()),
    "add": _arithmetic,
    "subtract": _arithmetic,
    "multiply": _arithmetic,
    "divide": _arithmetic,
    "sample": _sample,
    "todouble": lambda r: ToDouble(r.line, r.var("assign_to"), r.var("variable")),
    "test": _test,
    "verifyauth": _verifyauth,
    "lookup": lambda r: Lookup(r.line, r.var("assign_to"), r.template("file"), r.template("key")),
    "insert": lambda r: Insert(r.line, r.template("file"), r.template("value")),
    "replace": lambda r: Replace(r.line, r.template("file"), r.template("line"), r.template("value")),
    "setdest": _setdest,
    "closecon": lambda r: CloseConnection(r.line),
    "strcmp": _strcmp,
    "trim": _text_edit(trim, "assign_to"),
    "urldecode": _text_edit(url_decode, "variable"),
    "urlencode": _text_edit(url_encode, "variable"),
    "exec": _exec,
    "rtp_echo": _rtp_echo,
}


def parse_actions(el: etree._Element, path: str, names: VariableNames,
                  compile_template: Callable[[str, int], object], step_index: int,
                  step_count: Callable[[], int], *,
                  read_attrs: Callable[[etree._Element], dict[str, str]]) -> tuple[Action, ...]:  # fmt: skip
    """The actions of an `<action>` element, in order. `compile_template(text, line)` compiles a
    templated attribute (and counts its `[$var]` uses); `step_count()` is the number of steps of
    the list the step belongs to (known once the file is read), for `<jump>`; `read_attrs` gives
    an element's attributes as the loader decodes them."""
    actions: list[Action] = []
    parent = el.getparent()
    in_recv = parent is not None and parent.tag in ("recv", "recvCmd")
    for child in el:
        if not isinstance(child.tag, str):
            continue
        parse = _PARSERS.get(child.tag)
        if parse is None:
            raise ScenarioError(path, child.sourceline, f"Unknown action: {child.tag}")
        attrs = read_attrs(child)
        reader = _Reader(child.tag, attrs, child.sourceline, path, names, compile_template, step_index,
                         step_count, in_recv)  # fmt: skip
        actions.append(parse(reader))
    return tuple(actions)
