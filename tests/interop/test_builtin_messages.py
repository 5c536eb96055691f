"""The embedded scenarios: sipperf's `-sd uac` dump runs unchanged in SIPp, and sipperf's built-in uac
and uas put the same bytes on the wire as SIPp's, once the values meant to differ (pid in branches,
tags and Call-IDs; SIP and media ports) are normalised.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.interop.helpers import (
    Processes,
    UdpPeer,
    UdpRecorder,
    counter,
    last_stat_row,
    normalise,
    place_call,
    run_tool,
    uas_like_handler,
    wait_all,
)

TOOLS = ("sipperf", "sipp")


def test_sd_uac_dump_runs_in_sipp(procs: Processes, ports: Callable[[], int]) -> None:
    dump = run_tool("sipperf", "-sd", "uac", cwd=procs.root / "dump")
    assert dump.returncode == 99
    assert dump.stdout == run_tool("sipp", "-sd", "uac", cwd=procs.root / "dump").stdout
    scenario = procs.root / "dumped_uac.xml"
    scenario.write_text(dump.stdout)
    uas = procs.uas("sipperf", ports(), "-m", "5")
    uac = procs.uac("sipp", ports(), uas.port, "-sf", str(scenario), "-m", "5", "-r", "50", "-trace_stat")
    assert wait_all([uac, uas]) == [0, 0], uac.describe() + uas.describe()
    row = last_stat_row(uac.stat_csv("dumped_uac"))
    assert (counter(row, "SuccessfulCall(C)"), counter(row, "FailedCall(C)")) == (5, 0)


def test_builtin_uac_sends_the_same_messages_as_sipp(
    procs: Processes, ports: Callable[[], int], recorder: Callable[..., UdpRecorder]
) -> None:
    responder = recorder(uas_like_handler)
    uacs = {tool: procs.uac(tool, ports(), responder.port, "-m", "1") for tool in TOOLS}
    assert wait_all(list(uacs.values())) == [0, 0], [uac.describe() for uac in uacs.values()]
    sent: dict[str, list[str]] = {}
    for tool, uac in uacs.items():
        names = {uac.port: "LOCAL_PORT", responder.port: "REMOTE_PORT"}
        sent[tool] = [
            normalise(r.message.raw, uac.pid, names) for r in responder.snapshot() if r.port == uac.port
        ]
        assert [text.split(" ", 1)[0] for text in sent[tool]] == ["INVITE", "ACK", "BYE"], sent[tool]
    for ours, theirs in zip(sent["sipperf"], sent["sipp"], strict=True):
        assert ours == theirs


def test_builtin_uas_answers_with_the_same_messages_as_sipp(
    procs: Processes, ports: Callable[[], int], udp_peer: UdpPeer
) -> None:
    uases = {tool: procs.uas(tool, ports(), "-m", "1") for tool in TOOLS}
    answers: dict[str, list[str]] = {}
    for tool, uas in uases.items():
        # the same Call-ID, tags and branches towards both servers: only their own values differ
        responses = place_call(udp_peer, uas.port, "same-call@127.0.0.1")
        answers[tool] = [normalise(r.message.raw, uas.pid, {uas.port: "LOCAL_PORT"}) for r in responses]
    assert wait_all(list(uases.values())) == [0, 0], [uas.describe() for uas in uases.values()]
    assert [text.split("\r\n", 1)[0] for text in answers["sipp"]] == [
        "SIP/2.0 180 Ringing", "SIP/2.0 200 OK", "SIP/2.0 200 OK"]  # fmt: skip
    for ours, theirs in zip(answers["sipperf"], answers["sipp"], strict=True):
        assert ours == theirs
