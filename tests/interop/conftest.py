"""Fixtures for running sipperf against real SIPp on 127.0.0.1.

`ports()` hands out free UDP ports; `procs` starts sipperf / sipp processes, each in its own working
directory under tmp_path (trace files land there), and kills whatever is still running at teardown;
`udp_peer` and `recorder` give the tests their own SIP endpoints.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.interop.helpers import Handler, Processes, UdpPeer, UdpRecorder, free_udp_port


@pytest.fixture(autouse=True)
def _require_sipp() -> None:
    if shutil.which("sipp") is None:  # pragma: no cover - depends on the machine
        pytest.skip("real SIPp ('sipp') is not installed")


@pytest.fixture
def ports() -> Callable[[], int]:
    """A factory of free UDP ports on 127.0.0.1, distinct within one test."""
    given: set[int] = set()

    def allocate() -> int:
        while (port := free_udp_port()) in given:
            pass
        given.add(port)
        return port

    return allocate


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Processes]:
    processes = Processes(tmp_path)
    try:
        yield processes
    finally:
        processes.cleanup()


@pytest.fixture
def udp_peer() -> Iterator[UdpPeer]:
    peer = UdpPeer()
    try:
        yield peer
    finally:
        peer.close()


@pytest.fixture
def recorder() -> Iterator[Callable[[Handler | None], UdpRecorder]]:
    """A factory of threaded UDP endpoints (`recorder(handler)`), all closed at teardown."""
    made: list[UdpRecorder] = []

    def make(handler: Handler | None = None) -> UdpRecorder:
        made.append(UdpRecorder(handler))
        return made[-1]

    try:
        yield make
    finally:
        for item in made:
            item.close()
