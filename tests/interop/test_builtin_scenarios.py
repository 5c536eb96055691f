"""The built-in scenarios of the scenario language (`regexp`, `branchc`, `branchs`) through the
`sipperf` command, with real SIPp 3.6.1 as the reference: dumped byte for byte, and run against
SIPp in both roles with the same outcome and the same per-step message counts as SIPp's own runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.interop.helpers import Processes, messages_column, run_tool, wait_all
from tests.interop.language import TOOLS, sent


@pytest.mark.parametrize("name", ["regexp", "branchc", "branchs"])
def test_dump_is_sipps_byte_for_byte(name: str, tmp_path: Path) -> None:
    dumps = {tool: run_tool(tool, "-sd", name, cwd=tmp_path / tool) for tool in TOOLS}
    assert [dump.returncode for dump in dumps.values()] == [99, 99]
    assert dumps["sipperf"].stdout == dumps["sipp"].stdout


def test_regexp_against_sipps_uas_sends_what_sipps_regexp_sends(
    procs: Processes, ports: Callable[[], int]
) -> None:
    """Its three check_it eregs on the 200 match SIPp's uas; the ACK carries what they extracted."""
    clients = {}
    for tool in TOOLS:
        uas = procs.uas("sipp", ports())
        clients[tool] = procs.uac(
            tool, ports(), uas.port, "-sn", "regexp", "-m", "2", "-r", "100", "-trace_msg"
        )
    assert wait_all(list(clients.values())) == [0, 0], [proc.describe() for proc in clients.values()]
    acks = {}
    for tool, proc in clients.items():
        assert messages_column(proc.stdout) == [2, 0, 2, 0, 2, 2, 2, 2, 2], tool
        ack = next(m for m in sent(proc, "regexp") if m.first_line.startswith("ACK"))
        assert ack.header("retrievedIp") == f"127.0.0.1:{proc.port}", tool  # the first IP:port: the Via's
        retrieved = [f"{name}: {value}" for name, value in ack.headers if name.startswith("retrieved")]
        acks[tool] = [re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", line) for line in retrieved]
    assert (
        acks["sipperf"]
        == acks["sipp"]
        == [
            "retrievedIp: 127.0.0.1:PORT",
            "retrievedContact: <sip:127.0.0.1:PORT;transport=UDP>",
            "retrievedSdpOrigin: o=user1 53655765 2353687637",
            "retrievedSdpOrigin-username: user1",
            "retrievedSdpOrigin-session-id: 53655765",
            "retrievedSdpOrigin-version: 2353687637",
        ]
    )


@pytest.mark.slow
def test_branchc_and_branchs_against_sipp_in_both_roles(procs: Processes, ports: Callable[[], int]) -> None:
    """30 calls (call 25 takes branchc's short path, calls 2 and 20-29 branchs' 180 path), each ~9 s
    long: sipperf's branchc against SIPp's branchs and SIPp's branchc against sipperf's branchs count
    what SIPp counts against itself, step by step."""
    pairs = {}
    for client, server in (("sipp", "sipp"), ("sipperf", "sipp"), ("sipp", "sipperf")):
        uas = procs.uas(server, ports(), "-sn", "branchs", "-m", "30")
        uac = procs.uac(client, ports(), uas.port, "-sn", "branchc", "-m", "30", "-r", "100")
        pairs[client, server] = (uac, uas)
    everything = [proc for pair in pairs.values() for proc in pair]
    assert wait_all(everything) == [0] * 6, "\n".join(proc.describe() for proc in everything)
    reference_uac, reference_uas = (messages_column(proc.stdout) for proc in pairs["sipp", "sipp"])
    assert messages_column(pairs["sipperf", "sipp"][0].stdout) == reference_uac
    assert messages_column(pairs["sipp", "sipperf"][1].stdout) == reference_uas
    assert reference_uac[-1] == reference_uas[-1] == 30  # every call reached the final pause
