"""The compiled scenario: immutable steps and the scenario-wide tables, built once by the loader.

A `Scenario` is everything the engine, the statistics and the screens need to know about a
scenario file; nothing in it changes while calls run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sipperf.scenario.actions import Action
    from sipperf.scenario.distributions import Distribution
    from sipperf.scenario.posix_regex import PosixPattern
    from sipperf.scenario.template import Template
    from sipperf.scenario.variables import Scope, VarRef


class StepKind(enum.Enum):
    SEND = "send"
    RECV = "recv"
    PAUSE = "pause"
    NOP = "nop"
    SEND_CMD = "sendCmd"
    RECV_CMD = "recvCmd"


class Mode(enum.Enum):
    CLIENT = "client"
    SERVER = "server"


@dataclass(frozen=True, slots=True)
class Step:
    """One command of the scenario (send, recv, pause, nop ...), at position `index`."""

    index: int
    kind: StepKind
    line: int
    # send (and sendCmd)
    template: Template | None = None
    label: str = ""  # what the screen shows: method or status code ("INVITE", "180")
    is_request: bool = False  # send: the message is a request (not a response)
    is_invite: bool = False  # send: the message text starts with INVITE (uncapped retrans timer)
    retrans: int = 0  # send: T1 in ms, 0 = no retransmission
    txn: str | None = None  # send: start_txn (ack_txn on an ACK); recv: response_txn
    # recv
    response: int | None = None  # the code; None for a request (or a regexp_match code that is no integer)
    request: str | None = None
    response_re: PosixPattern | None = None  # regexp_match="true" [3.7.5+]: searched in the decimal code
    request_re: PosixPattern | None = None  # regexp_match="true": searched in the method
    optional: bool = False
    optional_global: bool = False
    timeout: int = 0  # ms, 0 = use -recv_timeout
    ontimeout: int | None = None  # resolved step index (may equal len(steps): end of scenario)
    methods_before: str = ""  # recv response: methods of the requests sent before (CSeq check)
    rrs: bool = False  # record the route set (once per call)
    auth: bool = False  # keep a 401/407 challenge for [authentication]
    advance_state: bool = True  # false (optional recvs only): run actions, do not move nor update [last_*]
    # pause / timewait
    pause_ms: int | None = None  # a fixed length (pause_length of pause_dist); None: see pause_dist/pause_var
    pause_dist: Distribution | None = None  # the length's distribution; None with no pause_var: the -d value
    pause_var: VarRef | None = None  # the length is this double variable's value (ms)
    timewait: bool = False
    # common
    next: int | None = None  # resolved step index
    test: VarRef | None = None  # with next: branch only when this variable is set
    chance: float | None = None
    start_rtd: str | None = None
    rtd: str | None = None
    repeat_rtd: bool = False
    counter: str | None = None
    crlf: bool = False
    hide: bool = False
    display: str | None = None
    lost: float | None = None
    ignoresdp: bool = False
    condexec: VarRef | None = None  # run the step only when this variable is set (not set: inverse)
    condexec_inverse: bool = False
    actions: tuple[Action, ...] = ()

    @property
    def is_send(self) -> bool:
        return self.kind is StepKind.SEND

    @property
    def is_recv(self) -> bool:
        return self.kind is StepKind.RECV


@dataclass(frozen=True, slots=True)
class Scenario:
    """A loaded scenario. `name` is the base name used for output files (`uac`, `myscen`)."""

    name: str
    title: str
    path: str  # the file it came from, or "<builtin uac>"
    steps: tuple[Step, ...]
    mode: Mode
    rtd_names: tuple[str, ...] = ()  # in order of first appearance; "true" is stored as "1"
    counters: tuple[str, ...] = ()
    response_time_repartition: tuple[int, ...] = ()
    call_length_repartition: tuple[int, ...] = ()
    # RTDs that the response-time repartition applies to (those known where the element stood)
    repartition_rtds: tuple[str, ...] = ()
    labels: dict[str, int] = field(default_factory=dict)
    # sum of the pauses' 99th percentiles (SIPp's scenario duration, for the default -l); a pause
    # without length uses -d (has_default_pause), a variable one counts nothing
    pause_total_ms: int = 0
    has_default_pause: bool = False
    init_steps: tuple[Step, ...] = ()  # the <init> nops, run once at start-up by an internal call
    default_messages: dict[str, Template] = field(default_factory=dict)  # <DefaultMessage> by id
    unexp_retaddr: VarRef | None = None  # $_unexp.retaddr, set when jumping to _unexp.main
    unexp_pausedaddr: VarRef | None = None  # $_unexp.pausedaddr, likewise
    # the <User> and <Global> variables by name (what `[$name]` and -set look up); others are the call's
    variable_scopes: dict[str, Scope] = field(default_factory=dict)
