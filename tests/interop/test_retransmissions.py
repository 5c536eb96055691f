"""UDP retransmissions on the wire, sipperf next to real SIPp.

A peer that never answers sees the INVITE retransmitted at SIPp's times (T1 = 500 ms, doubled each
time, never capped for INVITE) and the call fails on timeout. A UAS whose first 200 OK is lost resends
it 500 ms later and stops once the ACK arrives.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.interop.helpers import (
    Processes,
    UdpPeer,
    UdpRecorder,
    counter,
    last_stat_row,
    place_call,
    scenario_rows,
    wait_all,
)

TOLERANCE = 0.1  # seconds, for each retransmission offset
EXIT_SLACK = 0.8  # seconds a process may take to exit after its last call failed
TOOLS = ("sipperf", "sipp")


@pytest.mark.parametrize(
    ("extra", "offsets", "failure"),
    [
        pytest.param(("-max_invite_retrans", "2"), [0.0, 0.5, 1.5], 3.5, id="max_invite_retrans_2"),
        pytest.param((), [0.0, 0.5, 1.5, 3.5, 7.5, 15.5], 31.5, id="default", marks=pytest.mark.slow),
    ],
)
def test_unanswered_invite_is_retransmitted_like_sipp(
    procs: Processes,
    ports: Callable[[], int],
    recorder: Callable[..., UdpRecorder],
    extra: tuple[str, ...],
    offsets: list[float],
    failure: float,
) -> None:
    sinks = {tool: recorder() for tool in TOOLS}  # never answer
    uacs = {
        tool: procs.uac(tool, ports(), sinks[tool].port, "-m", "1", "-trace_stat", *extra) for tool in TOOLS
    }
    wait_all(list(uacs.values()), timeout=failure + 15)
    seen: dict[str, list[float]] = {}
    for tool, uac in uacs.items():
        assert uac.poll() == 1, uac.describe()
        assert uac.exited_at is not None
        received = sinks[tool].snapshot()
        assert received, f"{tool} sent nothing"
        assert all(r.message.raw == received[0].message.raw for r in received), "retransmissions differ"
        assert received[0].message.method == "INVITE"
        first = received[0].at
        seen[tool] = [r.at - first for r in received]
        assert len(seen[tool]) == len(offsets), f"{tool}: INVITEs at {seen[tool]}"
        for got, want in zip(seen[tool], offsets, strict=True):
            assert abs(got - want) <= TOLERANCE, f"{tool}: INVITEs at {seen[tool]}, expected {offsets}"
        exited = uac.exited_at - first
        assert failure - TOLERANCE <= exited <= failure + EXIT_SLACK, f"{tool} exited at {exited}"
        row = last_stat_row(uac.stat_csv("uac"))
        assert counter(row, "FailedCall(C)") == 1
        assert counter(row, "FailedMaxUDPRetrans(C)") == 1
        assert counter(row, "SuccessfulCall(C)") == 0
        assert counter(row, "Retransmissions(C)") == len(offsets) - 1
        invite = scenario_rows(uac.stdout)[0]
        assert (invite.messages, invite.retrans, invite.timeout) == (1, len(offsets) - 1, 1), uac.describe()
    for got, want in zip(seen["sipperf"], seen["sipp"], strict=True):
        assert abs(got - want) <= TOLERANCE, f"sipperf INVITEs at {seen['sipperf']}, SIPp at {seen['sipp']}"


def test_uas_resends_lost_200_ok_until_acked(
    procs: Processes, ports: Callable[[], int], udp_peer: UdpPeer
) -> None:
    uases = {tool: procs.uas(tool, ports(), "-m", "1") for tool in TOOLS}
    for tool, uas in uases.items():
        _, first_ok, resent_ok, bye_ok = place_call(udp_peer, uas.port, f"lost-{tool}", ignore_first_200=True)
        delay = resent_ok.at - first_ok.at
        assert abs(delay - 0.5) <= TOLERANCE, f"{tool}: 200 OK resent after {delay:.3f} s"
        assert resent_ok.message.raw == first_ok.message.raw
        assert bye_ok.message.header("CSeq") == "2 BYE"
    assert wait_all(list(uases.values())) == [0, 0], [uas.describe() for uas in uases.values()]
    udp_peer.drain(0.1)
    assert not any(udp_peer.inbox.values()), f"unexpected messages: {udp_peer.inbox}"
    rows = {tool: scenario_rows(uas.stdout) for tool, uas in uases.items()}
    # uas rows: INVITE, 180, 200, ACK, BYE, 200, timewait; only the 200 OK was retransmitted, once
    counts = [(row.messages, row.retrans) for row in rows["sipperf"][:6]]
    assert counts == [(1, 0), (1, 0), (1, 1), (1, 0), (1, 0), (1, 0)], uases["sipperf"].describe()
    assert rows["sipperf"] == rows["sipp"]
