"""The final screens printed on stdout, line by line against SIPp's where they should not depend on
timing. (The whole masked screens of a 200-call run are compared in test_calls.py.)
"""

from __future__ import annotations

from collections.abc import Callable

from tests.interop.helpers import Processes, UdpRecorder, uas_like_handler, wait_all

TOOLS = ("sipperf", "sipp")


def test_final_screen_shows_sockets_closed_like_sipp(
    procs: Processes, ports: Callable[[], int], recorder: Callable[..., UdpRecorder]
) -> None:
    responder = recorder(uas_like_handler)
    uacs = {tool: procs.uac(tool, ports(), responder.port, "-m", "1") for tool in TOOLS}
    assert wait_all(list(uacs.values())) == [0, 0]
    sockets = {
        tool: [line for line in uac.stdout.splitlines() if "open sockets" in line]
        for tool, uac in uacs.items()
    }
    assert sockets["sipp"][0].startswith("  0 open sockets")
    assert sockets["sipperf"] == sockets["sipp"]
