"""-workers: what each worker gets (rate, -l, call numbers, sockets) and what the coordinator merges and
forwards, without running a whole command (tests/interop/test_workers.py does that against SIPp)."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import socket
from dataclasses import replace

import pytest

from sipperf.config import Config
from sipperf.engine.engine import EngineSettings
from sipperf.engine.numbers import CallNumbers
from sipperf.errors import EXIT_BIND, FatalError
from sipperf.output.sources import LiveState
from sipperf.runner import Network
from sipperf.scenario.loader import load_builtin
from sipperf.scenario.model import Mode
from sipperf.workers import (
    Worker,
    WorkerGroup,
    bind_worker_sockets,
    death_message,
    share,
    shared_call_numbers,
    shared_clock,
    worker_config,
)
from tests.unit.memory_net import MemoryNet

UAC = load_builtin("uac", frozenset())
UAS = load_builtin("uas", frozenset())
LOOPBACK = Network("127.0.0.1", 5060, socket.AF_INET, "127.0.0.1", "127.0.0.1", "127.0.0.1")


# ---------------------------------------------------------------------------------------------------
# Shares


@pytest.mark.parametrize(("total", "count"), [(10, 3), (1000, 2), (1, 2), (0, 4), (7, 7)])
def test_shares_add_up_and_differ_by_at_most_one(total: int, count: int) -> None:
    parts = [share(total, index, count) for index in range(count)]
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)  # the first workers take the remainder


def test_worker_config_splits_the_rate_and_the_open_call_limit() -> None:
    config = Config(r=1000.0, l=301, m=5000, workers=3)
    configs = [worker_config(config, index) for index in range(3)]
    assert [c.r for c in configs] == pytest.approx([1000 / 3] * 3)
    assert [c.l for c in configs] == [101, 100, 100]
    assert {c.m for c in configs} == {5000}  # -m is shared through the call numbers, not split


def test_worker_config_keeps_the_default_open_call_limit() -> None:
    assert worker_config(Config(r=10.0, workers=2), 1).l is None


# ---------------------------------------------------------------------------------------------------
# Call numbers


def test_call_numbers_up_to_the_limit() -> None:
    numbers = CallNumbers(3)
    assert [numbers.take() for _ in range(5)] == [1, 2, 3, None, None]
    assert numbers.used_up()
    unlimited = CallNumbers(None)
    assert [unlimited.take() for _ in range(3)] == [1, 2, 3] and not unlimited.used_up()


def _take_all(numbers: CallNumbers, conn: multiprocessing.connection.Connection) -> None:
    taken = []
    while (number := numbers.take()) is not None:
        taken.append(number)
    conn.send(taken)


def test_shared_call_numbers_are_each_taken_once_across_processes() -> None:
    numbers = shared_call_numbers(5000, load_builtin("uac"))
    context = multiprocessing.get_context("fork")
    pipes = [context.Pipe() for _ in range(3)]
    children = [context.Process(target=_take_all, args=(numbers, child)) for _, child in pipes]
    for child in children:
        child.start()
    taken = [parent.recv() for parent, _ in pipes]
    for child in children:
        child.join(10)
    everything = [number for part in taken for number in part]
    assert sorted(everything) == list(range(1, 5001))
    assert numbers.used_up() and numbers.take() is None


def test_the_init_call_takes_number_1_once_for_every_worker() -> None:
    """With an <init> block, -m 3 over workers: number 1 is the init call's (reserved before the
    fork, so each worker's own init run takes no other), the calls are 2, 3, 4."""
    uac = load_builtin("uac")
    numbers = shared_call_numbers(3, replace(uac, init_steps=uac.steps[:1]))
    assert numbers.reserve_init() == 1  # in a worker: already done, nothing changes
    assert [numbers.take(), numbers.take(), numbers.take(), numbers.take()] == [2, 3, 4, None]


def _wire_call_numbers(net: MemoryNet, port: int) -> list[int]:
    """The call numbers in the Call-IDs (`<n>-<pid>@...`) of the INVITEs sent from `port`."""
    return [int(re.match(r"(\d+)-", d.msg.call_id).group(1))  # type: ignore[union-attr]
            for d in net.wire if d.src[1] == port and d.first_line.startswith("INVITE")]  # fmt: skip


def test_two_uac_engines_share_the_call_numbers_and_m() -> None:
    net = MemoryNet()
    uas = net.add(UAS, 5060, None, EngineSettings(max_calls=10))
    settings = EngineSettings(rate=50, max_calls=10)
    uacs = [net.add(UAC, port, 5060, settings) for port in (5061, 5062)]
    shared = CallNumbers(10)
    for uac in uacs:
        uac.numbers = shared
    assert net.run(20_000)
    per_worker = [_wire_call_numbers(net, port) for port in (5061, 5062)]
    assert all(per_worker)
    assert sorted(per_worker[0] + per_worker[1]) == list(range(1, 11))
    assert sum(uac.created for uac in uacs) == 10 == uas.created
    assert sum(uac.stats.snapshot().counter("SuccessfulCall") for uac in uacs) == 10


def test_an_engine_refuses_a_new_call_once_another_used_up_m() -> None:
    net = MemoryNet()
    uas = net.add(UAS, 5060, None, EngineSettings(max_calls=1))
    uas.numbers.take()  # another worker answered the only call
    net.add(UAC, 5061, 5060, EngineSettings(rate=10, max_calls=1, recv_timeout_ms=500))
    net.run(2000)
    assert uas.quitting and not uas.calls
    assert uas.stats.snapshot().counter("OutOfCallMsgs") >= 1
    assert uas.stats.snapshot().counter("IncomingCall") == 0


# ---------------------------------------------------------------------------------------------------
# Sockets


def _ports(sockets: list[socket.socket]) -> list[int]:
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_uac_workers_bind_consecutive_ports() -> None:
    port = _free_port()
    config = Config(p=port, workers=2)
    try:
        ports = _ports(bind_worker_sockets(config, Mode.CLIENT, LOOPBACK))
    except FatalError:  # port + 1 happened to be taken
        pytest.skip("two consecutive free ports were not available")
    assert ports == [port, port + 1]


def test_uas_workers_share_one_port() -> None:
    config = Config(p=_free_port(), workers=3)
    assert _ports(bind_worker_sockets(config, Mode.SERVER, LOOPBACK)) == [config.p] * 3


def test_uas_workers_refuse_a_port_in_use() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # even one it could share
        taken.bind(("127.0.0.1", 0))
        config = Config(p=taken.getsockname()[1], workers=2)
        with pytest.raises(FatalError) as failure:
            bind_worker_sockets(config, Mode.SERVER, LOOPBACK)
    assert failure.value.code == EXIT_BIND


# ---------------------------------------------------------------------------------------------------
# The coordinator


def test_live_states_merge() -> None:
    a = LiveState(created=3, open_calls=1, rate=5.0, call_limit=10, quitting=True, last_error="a",
                  last_error_at=2.0, send_errors=1)  # fmt: skip
    b = LiveState(created=4, open_calls=2, rate=5.0, call_limit=11, paused=True, last_error="b",
                  last_error_at=1.0, recv_errors=2)  # fmt: skip
    merged = a.merge(b)
    assert (merged.created, merged.open_calls, merged.rate, merged.call_limit) == (7, 3, 10.0, 21)
    assert merged.quitting and merged.paused and not merged.timed_out
    assert (merged.last_error, merged.last_error_at) == ("a", 2.0)
    assert (merged.send_errors, merged.recv_errors) == (1, 2)


def _group(count: int) -> tuple[WorkerGroup, list[multiprocessing.connection.Connection]]:
    group = WorkerGroup(UAC, Config(r=100.0, workers=count), shared_clock())
    theirs = []
    for index in range(count):
        ours, other = multiprocessing.Pipe()
        group.workers.append(Worker(index, os.getpid(), ours))
        theirs.append(other)
    return group, theirs


def test_keys_reach_every_worker_with_its_share_of_the_rate() -> None:
    group, theirs = _group(2)
    group.set_rate(group.current_rate() + 10)
    group.set_paused(True)
    group.quit(graceful=True)
    for conn in theirs:
        assert [conn.recv() for _ in range(3)] == [("set_rate", 55.0), ("set_paused", True), ("quit", True)]
    assert group.current_rate() == 110 and group.paused


def test_the_group_shows_the_sum_of_its_workers() -> None:
    group, _ = _group(2)
    group.workers[0].live = LiveState(created=5, rate=50.0)
    group.workers[1].live = replace(LiveState(created=7, rate=50.0), quitting=True)
    assert (group.live().created, group.live().rate, group.live().quitting) == (12, 100.0, True)


def test_death_messages() -> None:
    killed = death_message(1, 42, signal.SIGKILL)  # a raw wait status: killed by signal 9
    assert killed == "Worker 1 (pid 42) was killed by signal SIGKILL before the end of the run"
    assert death_message(0, 7, 3 << 8) == "Worker 0 (pid 7) exited with code 3 before the end of the run"
