"""Controlling a run from outside: SIGUSR1 (graceful quit), SIGTERM (immediate exit with final screens)
and `-bg` (the parent prints the child's pid and exits 99; the child runs the test and exits by itself).
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable

import pytest

from tests.interop.helpers import (
    Processes,
    catches_signal,
    counter,
    pid_alive,
    read_stat_csv,
    scenario_rows,
    udp_port_bound,
    wait_all,
    wait_udp_bound,
    wait_until,
)

TOOLS = ("sipperf", "sipp")


def epoch(timestamp: str) -> float:
    """The epoch seconds of a `-trace_stat` timestamp (`date<TAB>time<TAB>epoch`)."""
    return float(timestamp.split("\t")[2])


def test_sigusr1_stops_new_calls_and_lets_running_calls_finish(
    procs: Processes, ports: Callable[[], int]
) -> None:
    uas = procs.uas("sipp", ports())
    uac = procs.uac("sipperf", ports(), uas.port, "-d", "3000", "-r", "10", "-trace_stat", "-fd", "1")
    csv = uac.stat_csv("uac")
    # the first periodic row (written after 1 s) shows calls are being placed
    wait_until(lambda: csv.exists() and csv.read_text().count("\n") >= 3, 10, "the first periodic stat row")
    signalled, signalled_clock = time.time(), time.monotonic()
    uac.send_signal(signal.SIGUSR1)
    assert uac.wait(timeout=15) == 0, uac.describe()
    assert uac.exited_at is not None
    # the calls placed just before the signal still had most of their 3 s pause to run
    assert uac.exited_at - signalled_clock >= 2.0
    row = read_stat_csv(csv)[-1]
    placed = counter(row, "OutgoingCall(C)")
    assert placed >= 5
    assert counter(row, "SuccessfulCall(C)") == placed
    assert counter(row, "FailedCall(C)") == 0
    # 10 calls/s from StartTime: nothing placed after the signal (one call of slack for the timing)
    assert placed <= (signalled - epoch(row["StartTime"])) * 10 + 1
    uas.send_signal(signal.SIGTERM)
    assert uas.wait(timeout=10) == 0, uas.describe()
    invite, *_, bye, bye_ok, _ = [step.messages for step in scenario_rows(uas.stdout)]
    assert invite == bye == bye_ok == placed


@pytest.mark.parametrize("tool", TOOLS)
def test_sigterm_on_idle_uas_exits_0_with_final_screens(
    tool: str, procs: Processes, ports: Callable[[], int]
) -> None:
    uas = procs.uas(tool, ports())
    wait_until(lambda: catches_signal(uas.pid, signal.SIGTERM), 5, "a SIGTERM handler")
    uas.send_signal(signal.SIGTERM)
    assert uas.wait(timeout=10) == 0, uas.describe()
    out = uas.stdout
    assert "------------------------------ Scenario Screen -------- [1-9]: Change Screen --" in out
    assert "----------------------------- Statistics Screen ------- [1-9]: Change Screen --" in out
    assert out.count("------------------------------ Test Terminated --------------------------------") == 2
    assert [step.messages for step in scenario_rows(out)] == [0] * 7


@pytest.mark.parametrize(
    "tool",
    [
        "sipperf",
        "sipp",
    ],
)
def test_sigterm_as_soon_as_the_port_is_bound(tool: str, procs: Processes, ports: Callable[[], int]) -> None:
    """SIPp installs its signal handlers before it binds its socket; a signal sent the moment the port is
    bound gets the normal exit. Repeated, since the window it tests is a few milliseconds wide."""
    for attempt in range(10):
        port = ports()
        uas = procs.start(tool, "-sn", "uas", "-p", str(port), name=f"{tool}-{attempt}")
        wait_until(lambda port=port: udp_port_bound(port), 10, f"port {port}", interval=0.001)
        uas.send_signal(signal.SIGTERM)
        assert uas.wait(timeout=10) == 0, f"attempt {attempt}: {uas.describe()}"


def background_pid(stdout: str) -> int:
    match = re.fullmatch(r"Background mode - PID=\[(\d+)\]\n", stdout)
    assert match, f"unexpected -bg output: {stdout!r}"
    return int(match.group(1))


def test_background_uas_serves_calls_then_exits(procs: Processes, ports: Callable[[], int]) -> None:
    parents = {tool: procs.start(tool, "-sn", "uas", "-bg", "-m", "5", "-p", str(ports()), "-trace_stat")
               for tool in TOOLS}  # fmt: skip
    assert wait_all(list(parents.values()), timeout=10) == [99, 99]
    uacs = []
    for parent in parents.values():
        child = background_pid(parent.stdout)
        assert child != parent.pid
        procs.orphans.append(child)
        port = int(parent.argv[parent.argv.index("-p") + 1])
        wait_udp_bound(port)
        uacs.append(procs.uac("sipp", ports(), port, "-m", "5", "-r", "50"))
    assert wait_all(uacs) == [0, 0], [uac.describe() for uac in uacs]
    for parent in parents.values():
        child = background_pid(parent.stdout)
        wait_until(lambda child=child: not pid_alive(child), 10, f"background pid {child} to exit")
        [csv] = parent.cwd.glob("uas_*_.csv")
        row = read_stat_csv(csv)[-1]
        assert (counter(row, "SuccessfulCall(C)"), counter(row, "FailedCall(C)")) == (5, 0), parent.name


@pytest.mark.parametrize(
    "tool",
    [
        "sipperf",
        "sipp",
    ],
)
def test_background_stat_file_is_named_after_the_started_pid(
    tool: str, procs: Processes, ports: Callable[[], int]
) -> None:
    parent = procs.start(tool, "-sn", "uas", "-bg", "-p", str(ports()), "-trace_stat")
    assert parent.wait(timeout=10) == 99
    child = background_pid(parent.stdout)
    procs.orphans.append(child)
    wait_until(lambda: any(parent.cwd.glob("uas_*_.csv")), 10, "the stat file")
    names = sorted(path.name for path in parent.cwd.glob("uas_*_.csv"))
    assert names == [f"uas_{parent.pid}_.csv"], f"started pid {parent.pid}, background pid {child}"
