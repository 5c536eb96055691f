"""Two engines wired together in memory, with a fake clock and chosen losses (no sockets, no sleeps).

`MemoryNet.run()` delivers datagrams instantly and advances the clock 1 ms at a time, calling each
engine's `advance_time`, until both are done or the time limit passes. Every datagram is recorded
with its time, so tests assert exactly what crossed the wire and when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sipperf.engine.engine import Engine, EngineSettings
from sipperf.scenario.injection import InjectionFiles
from sipperf.scenario.keywords import RunContext
from sipperf.scenario.model import Scenario
from sipperf.sip.message import SipMessage
from sipperf.stats import Stats


@dataclass
class Datagram:
    at: float
    src: tuple
    dst: tuple
    data: bytes
    dropped: bool

    @property
    def msg(self) -> SipMessage:
        return SipMessage.from_bytes(self.data)

    @property
    def first_line(self) -> str:
        return self.msg.start_line


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Endpoint:
    """An in-memory transport with the UdpTransport interface."""

    name = "UDP"

    def __init__(self, net: MemoryNet, addr: tuple) -> None:
        self.net = net
        self.addr = addr
        self.engine: Engine | None = None
        self.local_ip, self.local_port = addr
        self.send_errors = self.recv_errors = self.congestion = 0
        self.open_sockets = 1

    def send(self, data: bytes, addr: tuple) -> bool:
        self.net.transmit(self.addr, addr, data)
        return True


@dataclass
class MemoryNet:
    clock: Clock = field(default_factory=Clock)
    endpoints: dict[tuple, Endpoint] = field(default_factory=dict)
    wire: list[Datagram] = field(default_factory=list)
    queue: list[tuple[tuple, tuple, bytes]] = field(default_factory=list)
    drop: Callable[[Datagram], bool] = lambda datagram: False
    rewrite: Callable[[Datagram], bytes] | None = None  # change a datagram in flight

    def add(self, scenario: Scenario, port: int, remote_port: int | None,
            settings: EngineSettings | None = None,
            injection: InjectionFiles | None = None) -> Engine:  # fmt: skip
        addr = ("127.0.0.1", port)
        endpoint = Endpoint(self, addr)
        ctx = RunContext(pid=4242, service="service", local_ip="127.0.0.1", local_port=port,
                         remote_ip="127.0.0.1", remote_port=remote_port or 5060, remote_host="127.0.0.1",
                         transport="UDP", media_ip="127.0.0.1", media_port=6000, server_ip="127.0.0.1",
                         sipp_version="3.6.1", injection=injection)  # fmt: skip
        remote = ("127.0.0.1", remote_port) if remote_port else None
        engine = Engine(scenario, settings or EngineSettings(), ctx, endpoint, remote,
                        stats_factory=Stats, clock=self.clock)  # fmt: skip
        endpoint.engine = engine
        self.endpoints[addr] = endpoint
        return engine

    def transmit(self, src: tuple, dst: tuple, data: bytes) -> None:
        datagram = Datagram(self.clock.now, src, dst, data, False)
        if self.rewrite is not None:
            datagram.data = data = self.rewrite(datagram)
        datagram.dropped = self.drop(datagram)
        self.wire.append(datagram)
        if not datagram.dropped:
            self.queue.append((src, dst, data))

    def deliver(self) -> None:
        while self.queue:
            src, dst, data = self.queue.pop(0)
            endpoint = self.endpoints.get(dst)
            if endpoint is not None and endpoint.engine is not None:
                endpoint.engine.on_datagram(data, src)

    def run(self, until_ms: float, engines: list[Engine] | None = None) -> bool:
        """Advance time until every engine in `engines` (default: all) is done; True if they were."""
        watched = engines or [e.engine for e in self.endpoints.values() if e.engine is not None]
        done: set[int] = set()
        while self.clock.now <= until_ms:
            for endpoint in self.endpoints.values():
                engine = endpoint.engine
                if engine is not None and id(engine) not in done and engine.advance_time(self.clock.now):
                    done.add(id(engine))
                self.deliver()
            if all(id(e) in done for e in watched):
                return True
            self.clock.now += 1.0
        return False

    def lines(self, src_port: int | None = None) -> list[tuple[float, str]]:
        return [(d.at, d.first_line) for d in self.wire if src_port is None or d.src[1] == src_port]
