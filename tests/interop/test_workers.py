"""`-workers 2` against real SIPp: 1,000 calls complete in both roles, the merged counters equal the
calls, each call number is used once (seen from SIPp's side), and the exit code follows SIPp's rules.

The two 1,000-call runs (sipperf UAC -> SIPp UAS, SIPp UAC -> sipperf UAS) go at the same time, on
separate ports, in one module-scoped fixture; the tests then check one aspect each.
"""

from __future__ import annotations

import os
import re
import signal
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.interop.helpers import (
    LOCALHOST,
    Proc,
    Processes,
    SipMessage,
    UdpRecorder,
    counter,
    free_udp_port,
    last_stat_row,
    messages_column,
    read_stat_csv,
    response_to,
    wait_all,
    wait_until,
)

CALLS = 1000
RATE = 500
WORKERS = ("-workers", "2")


def consecutive_free_ports(count: int) -> int:
    """The first of `count` consecutive free UDP ports (a UAC worker k binds -p + k)."""
    while True:
        first = free_udp_port()
        try:
            for port in range(first, first + count):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                    sock.bind((LOCALHOST, port))
        except OSError:
            continue
        return first


@dataclass
class Runs:
    sipperf_uac: Proc
    sipp_uas: Proc
    sipp_uac: Proc
    sipperf_uas: Proc


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    procs = Processes(tmp_path_factory.mktemp("workers"))
    calls = ("-m", str(CALLS), "-trace_stat")
    placed = (*calls, "-r", str(RATE))
    try:
        sipp_uas = procs.uas("sipp", free_udp_port(), *calls, "-trace_msg")
        sipperf_uas = procs.uas("sipperf", free_udp_port(), *calls, *WORKERS)
        runs = Runs(
            sipperf_uac=procs.uac(
                "sipperf", consecutive_free_ports(2), sipp_uas.port, *placed, *WORKERS, "-trace_msg"
            ),
            sipp_uas=sipp_uas,
            sipp_uac=procs.uac("sipp", free_udp_port(), sipperf_uas.port, *placed),
            sipperf_uas=sipperf_uas,
        )
        everything = [runs.sipperf_uac, runs.sipp_uas, runs.sipp_uac, runs.sipperf_uas]
        assert wait_all(everything) == [0] * 4, "\n".join(proc.describe() for proc in everything)
        yield runs
    finally:
        procs.cleanup()


def totals(proc: Proc, scenario: str) -> tuple[int, int, int]:
    """(calls created, successful, failed) from the last row of the -trace_stat file."""
    row = last_stat_row(proc.stat_csv(scenario))
    created = "OutgoingCall(C)" if scenario == "uac" else "IncomingCall(C)"
    return counter(row, created), counter(row, "SuccessfulCall(C)"), counter(row, "FailedCall(C)")


def test_uac_workers_merged_counters_equal_the_calls(runs: Runs) -> None:
    assert totals(runs.sipperf_uac, "uac") == (CALLS, CALLS, 0), runs.sipperf_uac.describe()
    assert messages_column(runs.sipperf_uac.stdout) == [CALLS, 0, CALLS, 0, CALLS, CALLS, CALLS, CALLS, CALLS]
    assert totals(runs.sipp_uas, "uas") == (CALLS, CALLS, 0)


def message_log(proc: Proc, scenario: str) -> str:
    logs = list(Path(proc.cwd).glob(f"{scenario}_*_messages.log"))
    assert len(logs) == 1, f"no -trace_msg file: {proc.describe()}"
    return logs[0].read_text(errors="replace")


def test_uac_workers_use_each_call_number_once(runs: Runs) -> None:
    log = message_log(runs.sipp_uas, "uas")
    call_ids = set(re.findall(r"^Call-ID: (\S+)$", log, re.MULTILINE))
    numbers = Counter(int(call_id.split("-")[0]) for call_id in call_ids)
    assert len(call_ids) == CALLS
    assert sorted(numbers) == list(range(1, CALLS + 1)) and set(numbers.values()) == {1}
    assert {call_id.split("-")[1].split("@")[0] for call_id in call_ids} == {str(runs.sipperf_uac.pid)}


def test_both_uac_workers_place_calls_from_their_own_ports(runs: Runs) -> None:
    log = message_log(runs.sipp_uas, "uas")
    invite_vias = re.findall(r"^INVITE .*\n(?:.*\n)*?Via: SIP/2.0/UDP [^:]+:(\d+)", log, re.MULTILINE)
    per_port = Counter(int(port) for port in invite_vias)
    first = runs.sipperf_uac.port
    assert set(per_port) == {first, first + 1}
    assert abs(per_port[first] - per_port[first + 1]) <= CALLS // 10  # each paces half the rate


def test_uac_workers_share_one_message_log(runs: Runs) -> None:
    """-trace_msg with workers: one file named after the process that was started, every record
    whole (no worker writes into another's), every message of every call there."""
    log = message_log(runs.sipperf_uac, "uac")
    assert Path(runs.sipperf_uac.cwd, f"uac_{runs.sipperf_uac.pid}_messages.log").exists()
    records = re.split(r"^-{47} \S+ \S+\n", log, flags=re.MULTILINE)[1:]
    assert len(records) == 6 * CALLS  # sent INVITE, ACK, BYE; received 180, 200, 200
    for record in records:
        title, blank, message = record.split("\n", 2)
        assert re.fullmatch(r"UDP message (sent \(\d+ bytes\)|received \[\d+\] bytes ):", title), record
        assert blank == "" and message.endswith("\n\n"), record  # (line ends read as \n)
    invites = re.findall(r"^INVITE sip:\S+ SIP/2.0$", log, re.MULTILINE)
    assert len(invites) == CALLS


def test_uas_workers_answer_every_call_of_one_peer(runs: Runs) -> None:
    assert totals(runs.sipperf_uas, "uas") == (CALLS, CALLS, 0), runs.sipperf_uas.describe()
    assert messages_column(runs.sipperf_uas.stdout) == [CALLS] * 7
    assert totals(runs.sipp_uac, "uac") == (CALLS, CALLS, 0)


def busy(message: SipMessage) -> list[bytes]:
    """486 Busy Here to every INVITE: the built-in uac fails the call (unexpected message)."""
    if message.is_response or message.method != "INVITE":
        return []
    return [response_to(message, 486, "Busy Here", "busy")]


def test_failed_calls_make_the_exit_code_1(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    peer = UdpRecorder(busy)
    try:
        uacs = [procs.uac(tool, consecutive_free_ports(2), peer.port, "-m", "4", "-r", "20", "-trace_stat",
                          *extra) for tool, extra in (("sipperf", WORKERS), ("sipp", ()))]  # fmt: skip
        assert wait_all(uacs) == [1, 1], "\n".join(uac.describe() for uac in uacs)
        for uac in uacs:
            assert totals(uac, "uac") == (4, 0, 4)
            assert counter(last_stat_row(uac.stat_csv("uac")), "FailedUnexpectedMessage(C)") == 4
    finally:
        peer.close()
        procs.cleanup()


def test_a_timeout_without_calls_makes_the_exit_code_97(tmp_path: Path) -> None:
    procs = Processes(tmp_path)
    try:
        servers = [procs.uas(tool, free_udp_port(), "-timeout", "1", *extra)
                   for tool, extra in (("sipperf", WORKERS), ("sipp", ()))]  # fmt: skip
        assert wait_all(servers) == [97, 97], "\n".join(server.describe() for server in servers)
    finally:
        procs.cleanup()


def workers_of(pid: int) -> list[int]:
    """The child processes of `pid` (the workers of a coordinator)."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.slow
def test_sigusr1_to_the_whole_group_quits_gracefully_once(procs: Processes) -> None:
    """`kill -USR1 -<group>` reaches the coordinator and every worker: it must count as one graceful
    quit (calls in progress end normally), not two (a forced quit that aborts them)."""
    uas = procs.uas("sipp", free_udp_port())
    uac = procs.uac("sipperf", consecutive_free_ports(2), uas.port, "-r", "10", "-d", "2500", *WORKERS,
                    "-trace_stat", "-fd", "1")  # fmt: skip
    rows = lambda: read_stat_csv(uac.stat_csv("uac")) if uac.stat_csv("uac").exists() else []  # noqa: E731
    wait_until(lambda: len(rows()) >= 2 and counter(rows()[-1], "OutgoingCall(C)") >= 4, 15, "calls placed")
    for pid in (uac.pid, *workers_of(uac.pid)):
        os.kill(pid, signal.SIGUSR1)
    assert uac.wait(timeout=20) == 0, uac.describe()
    last = rows()[-1]
    assert counter(last, "FailedCall(C)") == 0
    assert counter(last, "SuccessfulCall(C)") == counter(last, "OutgoingCall(C)") >= 4
