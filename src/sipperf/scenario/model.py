"""The compiled scenario: immutable steps and the scenario-wide tables, built once by the loader.

A `Scenario` is everything the engine, the statistics and the screens need to know about a
scenario file; nothing in it changes while calls run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sipperf.scenario.template import Template


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
    # send
    template: Template | None = None
    label: str = ""  # what the screen shows: method or status code ("INVITE", "180")
    is_request: bool = False  # send: the message is a request (not a response)
    is_invite: bool = False  # send: the message text starts with INVITE (uncapped retrans timer)
    retrans: int = 0  # send: T1 in ms, 0 = no retransmission
    txn: str | None = None  # send: start_txn (ack_txn on an ACK); recv: response_txn
    # recv
    response: int | None = None
    request: str | None = None
    optional: bool = False
    optional_global: bool = False
    timeout: int = 0  # ms, 0 = use -recv_timeout
    ontimeout: int | None = None  # resolved step index (may equal len(steps): end of scenario)
    methods_before: str = ""  # recv response: methods of the requests sent before (CSeq check)
    # pause / timewait
    pause_ms: int | None = None  # None: the -d value
    timewait: bool = False
    # common
    next: int | None = None  # resolved step index
    test: str | None = None
    chance: float | None = None
    start_rtd: str | None = None
    rtd: str | None = None
    repeat_rtd: bool = False
    counter: str | None = None
    crlf: bool = False
    hide: bool = False
    display: str | None = None
    lost: float | None = None
    actions: tuple = ()

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
    # sum of the fixed pause lengths, for the default -l (a pause without length uses -d)
    pause_total_ms: int = 0
    has_default_pause: bool = False
