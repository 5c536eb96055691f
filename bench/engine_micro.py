"""Engine-only CPU cost per call, without sockets: a steady figure for hot-path work.

`bench/run.py` measures whole processes against SIPp (syscalls, event loop, start-up included);
this measures only sipperf's Python work per call, so a change to parsing, matching or rendering
shows up clearly. Three measurements, each the best of --reps runs:

- uas: the built-in uas engine fed pre-built INVITE/ACK/BYE datagrams (as SIPp's uac sends them),
  answering into a null transport;
- uac: the built-in uac engine placing calls into a null transport, fed the answers the uas gave in
  a recorded in-memory run, each at the time it was sent;
- pair: the built-in uac and uas engines wired together in memory (both sides' work per call).

    python bench/engine_micro.py [--calls 20000] [--reps 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from tests.unit.memory_net import MemoryNet  # noqa: E402

from sipperf.engine.engine import Engine, EngineSettings  # noqa: E402
from sipperf.runner import quiet_gc  # noqa: E402
from sipperf.scenario.keywords import RunContext  # noqa: E402
from sipperf.scenario.loader import load_builtin  # noqa: E402
from sipperf.stats import Stats  # noqa: E402

_HEAD = (
    "{method} sip:service@127.0.0.1:5060 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1-{n}-{step}\r\n"
    "From: sipp <sip:sipp@127.0.0.1:5061>;tag=1SIPpTag00{n}\r\n"
    "To: service <sip:service@127.0.0.1:5060>{to_tag}\r\n"
    "Call-ID: {n}-1@127.0.0.1\r\nCSeq: {cseq} {method}\r\nContact: sip:sipp@127.0.0.1:5061\r\n"
    "Max-Forwards: 70\r\nSubject: Performance Test\r\n"
)
_SDP = (
    "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


class NullTransport:
    name = "UDP"
    send_errors = recv_errors = congestion = 0
    open_sockets = 1

    def send(self, data: bytes, addr: tuple) -> bool:
        return True


def uac_messages(n: int) -> tuple[bytes, bytes, bytes]:
    """The INVITE, ACK and BYE SIPp's uac sends for call `n`."""
    invite = _HEAD.format(method="INVITE", n=n, step=0, to_tag="", cseq=1)
    invite += f"Content-Type: application/sdp\r\nContent-Length: {len(_SDP):5d}\r\n\r\n{_SDP}"
    tag = f";tag=2SIPpTag01{n}"
    ack = _HEAD.format(method="ACK", n=n, step=5, to_tag=tag, cseq=1) + "Content-Length: 0\r\n\r\n"
    bye = _HEAD.format(method="BYE", n=n, step=7, to_tag=tag, cseq=2) + "Content-Length: 0\r\n\r\n"
    return invite.encode(), ack.encode(), bye.encode()


def uas_cost(calls: int) -> float:
    """CPU µs per call of the uas engine answering `calls` calls."""
    ctx = RunContext(pid=2, service="service", local_ip="127.0.0.1", local_port=5060, remote_ip="",
                     remote_port=5060, remote_host="", transport="UDP", media_ip="127.0.0.1",
                     media_port=6000, server_ip="127.0.0.1", sipp_version="3.6.1")  # fmt: skip
    clock = [0.0]
    engine = Engine(load_builtin("uas"), EngineSettings(), ctx, NullTransport(), None, Stats,
                    clock=lambda: clock[0])  # fmt: skip
    peer = ("127.0.0.1", 5061)
    messages = [uac_messages(n) for n in range(1, calls + 1)]
    started = time.process_time()
    for invite, ack, bye in messages:
        engine.on_datagram(invite, peer)
        engine.on_datagram(ack, peer)
        engine.on_datagram(bye, peer)
        clock[0] += 0.25
        engine.advance_time(clock[0])
    clock[0] += 5000.0
    while engine.calls and clock[0] < 1e9:  # -max_sched_loops: at most 1000 calls woken per pass
        engine.advance_time(clock[0])
        clock[0] += 1.0
    spent = time.process_time() - started
    assert engine.stats.snapshot().counter("SuccessfulCall") == calls, "uas calls did not all succeed"
    return spent / calls * 1e6


def _pair(calls: int) -> tuple[MemoryNet, Engine, Engine]:
    """The built-in uac (port 5061) calling the built-in uas (5060) in memory, at 4000 calls/s."""
    net = MemoryNet()
    uas = net.add(load_builtin("uas"), 5060, None, EngineSettings(max_calls=calls))
    uac = net.add(load_builtin("uac"), 5061, 5060,
                  EngineSettings(rate=4000, max_calls=calls, call_limit=10 * calls))  # fmt: skip
    return net, uac, uas


def _all_succeeded(engine: Engine, calls: int) -> None:
    assert engine.stats.snapshot().counter("SuccessfulCall") == calls, "calls did not all succeed"


def pair_cost(calls: int) -> float:
    """CPU µs per call of the uac and uas engines together, in memory."""
    net, uac, uas = _pair(calls)
    started = time.process_time()
    assert net.run(60_000), "the in-memory run did not finish"
    spent = time.process_time() - started
    _all_succeeded(uac, calls)
    _all_succeeded(uas, calls)
    return spent / calls * 1e6


def uac_cost(calls: int) -> float:
    """CPU µs per call of the uac engine alone: the uas's answers of a recorded run replayed."""
    recorder, _, _ = _pair(calls)
    assert recorder.run(60_000), "the recorded in-memory run did not finish"
    answers = [(d.at, d.data, d.src) for d in recorder.wire if d.dst[1] == 5061]
    net, uac, _ = _pair(calls)
    uac.transport = NullTransport()
    clock = net.clock
    tick = 0.0  # the next tick to run: each as MemoryNet runs it, the uac's timers then arrivals
    started = time.process_time()
    for at, data, src in answers:
        while tick <= at:
            clock.now = tick
            uac.advance_time(tick)
            tick += 1.0
        clock.now = at
        uac.on_datagram(data, src)
    clock.now = tick
    while not uac.advance_time(clock.now) and clock.now < 1e6:
        clock.now += 1.0
    spent = time.process_time() - started
    _all_succeeded(uac, calls)
    return spent / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    quiet_gc()  # the collector tuned as in a real run
    for name, measure in (("uas", uas_cost), ("uac", uac_cost), ("pair", pair_cost)):
        best = min(measure(args.calls) for _ in range(args.reps))
        print(f"{name:5s} {best:7.1f} us per call (best of {args.reps}, {args.calls} calls)")


if __name__ == "__main__":
    main()
