"""Calls between sipperf and real SIPp in both directions: the per-step message counts of the two sides
agree, every call succeeds and both processes exit 0. And a uas that reached `-m` refuses new calls.

Both directions (sipperf uac -> sipp uas, sipp uac -> sipperf uas) run at the same time, on separate
ports, to keep the run short: SIPp's uas ends every call with a 4 s timewait.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from tests.interop.helpers import (
    Proc,
    Processes,
    UacDialog,
    UdpPeer,
    counter,
    last_stat_row,
    mask_screens,
    messages_column,
    place_call,
    run_both_directions,
    wait_all,
)


def assert_all_successful(proc: Proc, scenario: str, calls: int) -> None:
    row = last_stat_row(proc.stat_csv(scenario))
    created = "OutgoingCall(C)" if scenario == "uac" else "IncomingCall(C)"
    assert (counter(row, created), counter(row, "SuccessfulCall(C)"), counter(row, "FailedCall(C)")) == (
        calls, calls, 0), proc.describe()  # fmt: skip


def test_200_calls_at_100_cps_step_counts_agree(procs: Processes, ports: Callable[[], int]) -> None:
    calls = 200
    pairs = run_both_directions(procs, ports, calls=calls, rate=100)
    for uac, uas in pairs:
        sent = messages_column(uac.stdout)
        received = messages_column(uas.stdout)
        # uac: INVITE, 100, 180, 183, 200, ACK, Pause, BYE, 200 (100 and 183 never sent by SIPp's uas)
        assert sent == [calls, 0, calls, 0, calls, calls, calls, calls, calls], uac.describe()
        # uas: INVITE, 180, 200, ACK, BYE, 200, timewait
        assert received == [calls] * 7, uas.describe()
        invite, _, ringing, _, ok, ack, _, bye, bye_ok = sent
        assert [invite, ringing, ok, ack, bye, bye_ok] == received[:6]
        assert_all_successful(uac, "uac", calls)
        assert_all_successful(uas, "uas", calls)
    # the final screens of sipperf and SIPp in the same role agree, apart from timing and ports
    (sipperf_uac, sipp_uas), (sipp_uac, sipperf_uas) = pairs
    ours = mask_screens(sipperf_uac.stdout, [sipperf_uac.port, sipp_uas.port])
    assert ours == mask_screens(sipp_uac.stdout, [sipp_uac.port, sipperf_uas.port])
    ours = mask_screens(sipperf_uas.stdout, [sipperf_uas.port])
    assert ours == mask_screens(sipp_uas.stdout, [sipp_uas.port])


_TRACE_RECORD = re.compile(r"^-{47} (\S+ \S+)\nUDP message (sent|received)[^\n]*\n\n([^\n]*)", re.M)


def traced_first_lines(path: Path) -> list[tuple[float, str, str]]:
    """(seconds, "sent" or "received", first line) of each message of a -trace_msg file."""
    return [(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp(), direction, line)
            for stamp, direction, line in _TRACE_RECORD.findall(path.read_text("latin-1"))]  # fmt: skip


def invite_send_times(path: Path) -> list[float]:
    """When each INVITE of a -trace_msg file was sent, in seconds."""
    records = traced_first_lines(path)
    return [at for at, direction, line in records if direction == "sent" and line.startswith("INVITE ")]


def test_uac_places_calls_in_bursts_as_sipp(procs: Processes, ports: Callable[[], int]) -> None:
    """SIPp 3.6.1's timer passes come every 3.75-4 ms, so its calls leave in bursts (4 every 3.75 ms
    at -r 1000); sipperf's passes are at least 3 ms apart too. Its INVITEs at -r 1000 leave in
    groups (sent less than 1 ms apart) of 2.5 calls or more on average, not one by one."""
    calls = 300
    uas = procs.uas("sipp", ports(), "-m", str(calls))
    uac = procs.uac("sipperf", ports(), uas.port, "-r", "1000", "-m", str(calls), "-trace_msg")
    assert uac.wait() == 0, uac.describe()
    times = invite_send_times(uac.trace_log("uac", "messages"))
    assert len(times) == calls
    groups = 1 + sum(1 for before, after in zip(times, times[1:], strict=False) if after - before >= 0.001)
    assert groups <= calls / 2.5, times


def test_a_free_user_calls_again_without_waiting_for_a_timer_pass(
    procs: Processes, ports: Callable[[], int]
) -> None:
    """-users: as SIPp sets its call generator running when a user's call ends, the user's next
    INVITE leaves right after the last message of the previous call, not at the next timer pass."""
    uas = procs.uas("sipp", ports())
    uac = procs.uac("sipperf", ports(), uas.port, "-users", "1", "-m", "20", "-trace_msg")
    assert uac.wait() == 0, uac.describe()
    records = traced_first_lines(uac.trace_log("uac", "messages"))
    gaps = [at - records[n - 1][0] for n, (at, direction, line) in enumerate(records)
            if n and direction == "sent" and line.startswith("INVITE ")]  # fmt: skip
    assert len(gaps) == 19
    assert sorted(gaps)[len(gaps) // 2] < 0.0015, gaps


def test_1000_calls_at_500_cps_without_failure(procs: Processes, ports: Callable[[], int]) -> None:
    calls = 1000
    for uac, uas in run_both_directions(procs, ports, calls=calls, rate=500):
        assert_all_successful(uac, "uac", calls)
        assert_all_successful(uas, "uas", calls)
        assert messages_column(uac.stdout)[0] == calls
        assert messages_column(uas.stdout)[0] == calls


def test_uas_refuses_new_calls_once_m_is_reached(
    procs: Processes, ports: Callable[[], int], udp_peer: UdpPeer
) -> None:
    uases = [procs.uas(tool, ports(), "-m", "1", "-trace_stat") for tool in ("sipperf", "sipp")]
    for uas in uases:
        place_call(udp_peer, uas.port, f"first-{uas.name}")
        # a new Call-ID while the first call is in its timewait: -m 1 is reached, so it is discarded
        udp_peer.send(UacDialog(udp_peer.port, f"second-{uas.name}").invite(uas.port), uas.port)
    assert wait_all(uases) == [0, 0], [uas.describe() for uas in uases]
    udp_peer.drain(0.1)
    assert not any(udp_peer.inbox.values()), f"the second INVITE was answered: {udp_peer.inbox}"
    for uas in uases:
        row = last_stat_row(uas.stat_csv("uas"))
        counts = {
            name: counter(row, name) for name in ("IncomingCall(C)", "SuccessfulCall(C)", "OutOfCallMsgs(C)")
        }
        assert counts == {"IncomingCall(C)": 1, "SuccessfulCall(C)": 1, "OutOfCallMsgs(C)": 1}, uas.describe()
        assert messages_column(uas.stdout) == [1] * 7
