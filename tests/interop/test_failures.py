"""Failed calls, sipperf next to real SIPp: the built-in uac against a peer that misbehaves sends the same
messages at the same times (including the clean-up message of SIPp's abort procedure), fails the call
under the same counter, warns the same way and prints the same final screens.

Each case runs sipperf and SIPp once, side by side against the same peer (a module-scoped fixture);
the tests then check one aspect each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.interop.helpers import (
    Handler,
    Proc,
    Processes,
    Received,
    SipMessage,
    UdpRecorder,
    free_udp_port,
    mask_screens,
    normalise,
    read_stat_csv,
    response_to,
    uas_like_handler,
    wait_all,
)

TOOLS = ("sipperf", "sipp")
TOLERANCE = 0.1


def busy(message: SipMessage) -> list[bytes]:
    """100 Trying then 486 Busy Here to an INVITE."""
    if message.is_response or message.method != "INVITE":
        return []
    return [response_to(message, 100, "Trying", None), response_to(message, 486, "Busy Here", "busy")]


def ignores_bye(message: SipMessage) -> list[bytes]:
    """Answers the INVITE like SIPp's uas, never the BYE."""
    return [] if message.method == "BYE" else uas_like_handler(message)


def rings(message: SipMessage) -> list[bytes]:
    """180 Ringing to an INVITE, never a final response."""
    if message.is_response or message.method != "INVITE":
        return []
    return [response_to(message, 180, "Ringing", "ring")]


@dataclass(frozen=True)
class Case:
    peer: Handler
    extra: tuple[str, ...]
    expected: list[tuple[str, float]]  # (method, offset from the INVITE in s) of every message sent
    reason: str  # the Failed... counter


CASES = {
    # the 486 is unexpected for the uac (it expects 100/180/183/200); the abort procedure ACKs it
    "486": Case(busy, (), [("INVITE", 0.0), ("ACK", 0.0)], "FailedUnexpectedMessage(C)"),
    # BYE resent at 0.5 and 1.5 s, times out at 3.5 s; the abort procedure then sends a BYE of its own
    "unanswered-BYE": Case(
        ignores_bye,
        ("-max_non_invite_retrans", "2"),
        [("INVITE", 0.0), ("ACK", 0.0), ("BYE", 0.0), ("BYE", 0.5), ("BYE", 1.5), ("BYE", 3.5)],
        "FailedMaxUDPRetrans(C)",
    ),
    # no final response within -recv_timeout: the abort procedure CANCELs the INVITE
    "recv-timeout": Case(
        rings,
        ("-recv_timeout", "1000"),
        [("INVITE", 0.0), ("CANCEL", 1.0)],
        "FailedTimeoutOnRecv(C)",
    ),
}


@dataclass
class Run:
    case: Case
    responder_port: int
    uacs: dict[str, Proc]
    codes: list[int]
    sent: dict[str, list[Received]]


@pytest.fixture(scope="module", params=list(CASES))
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    case = CASES[request.param]
    processes = Processes(tmp_path_factory.mktemp(request.param))
    responder = UdpRecorder(case.peer)
    try:
        args = ("-m", "1", "-trace_stat", *case.extra)
        uacs = {tool: processes.uac(tool, free_udp_port(), responder.port, *args) for tool in TOOLS}
        codes = wait_all(list(uacs.values()))
        received = responder.snapshot()
        sent = {tool: [r for r in received if r.port == uac.port] for tool, uac in uacs.items()}
        yield Run(case, responder.port, uacs, codes, sent)
    finally:
        responder.close()
        processes.cleanup()


def test_exit_code_1(run: Run) -> None:
    assert run.codes == [1, 1], [uac.describe() for uac in run.uacs.values()]


def test_same_messages_at_the_same_times(run: Run) -> None:
    for tool, sent in run.sent.items():
        assert [r.message.method for r in sent] == [method for method, _ in run.case.expected], tool
        offsets = [r.at - sent[0].at for r in sent]
        for got, (_, want) in zip(offsets, run.case.expected, strict=True):
            assert abs(got - want) <= TOLERANCE, f"{tool}: sent at {offsets}"


def test_call_fails_under_the_same_counter(run: Run) -> None:
    for tool, uac in run.uacs.items():
        final = read_stat_csv(uac.stat_csv("uac"))[-1]
        failed = {name for name, value in final.items() if name.startswith("Failed") and name.endswith("(C)")
                  and value != "0"}  # fmt: skip
        assert failed == {"FailedCall(C)", run.case.reason}, tool
        assert (final["FailedCall(C)"], final["SuccessfulCall(C)"]) == ("1", "0")


def test_same_bytes_on_the_wire(run: Run) -> None:
    wire = {
        tool: [
            normalise(r.message.raw, uac.pid, {uac.port: "LOCAL", run.responder_port: "REMOTE"}) for r in sent
        ]
        for (tool, uac), sent in zip(run.uacs.items(), run.sent.values(), strict=True)
    }
    assert wire["sipperf"] == wire["sipp"]


def test_same_warning_on_stderr(run: Run) -> None:
    def mask(uac: Proc) -> str:
        text = re.sub(r"\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d+\.\d{6}", "TIMESTAMP", uac.stderr)
        for port, name in ((uac.port, "LOCAL"), (run.responder_port, "REMOTE")):
            text = re.sub(rf"(?<!\d){port}(?!\d)", name, text)
        return re.sub(rf"(?<!\d){uac.pid}(?!\d)", "PID", text)

    assert mask(run.uacs["sipperf"]) == mask(run.uacs["sipp"])


def test_same_final_screens(run: Run) -> None:
    ours, theirs = (mask_screens(uac.stdout, [uac.port, run.responder_port]) for uac in run.uacs.values())
    assert ours == theirs
