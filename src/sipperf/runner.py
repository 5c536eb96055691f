"""The life of one sipperf process, from a parsed `Config` to SIPp's exit code.

Load the scenario, fork for `-bg`, resolve the remote host, then either bind the sockets, wire the
outputs and control hooks to one engine, run the event loop and write the final statistics and
screens, or (`-workers N`) hand over to the coordinator of N engine processes, which builds and
serves each of its engines with the functions here. Fatal errors raised anywhere in here become
SIPp's message and exit code at one place.
"""

from __future__ import annotations

import gc
import os
import socket
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Protocol

from sipperf import SIPP_VERSION
from sipperf.config import Config
from sipperf.control.signals import Signals
from sipperf.engine.engine import Engine, EngineSettings
from sipperf.engine.event_loop import EventLoop, Future, running_loop
from sipperf.errors import EXIT_FAILED_CALLS, EXIT_INTERNAL, EXIT_NO_CALLS, EXIT_OK, FatalError, report_fatal
from sipperf.media.ports import bind_media_ports
from sipperf.output.run_outputs import RunOutputs
from sipperf.output.sources import EngineSource, LiveState, RunSource
from sipperf.output.trace_logs import TraceLogs
from sipperf.scenario.injection import InjectionFiles, load_files
from sipperf.scenario.keywords import RunContext
from sipperf.scenario.loader import load_builtin, load_file
from sipperf.scenario.model import Mode, Scenario, StepKind
from sipperf.scenario.variables import Scope
from sipperf.stats import Stats, StatsSnapshot
from sipperf.transport.udp import UdpTransport, bind_udp

DEFAULT_REMOTE_PORT = 5060
GC_YOUNG_MS = 1000  # how often the objects made since the last scan are checked for cycles


@dataclass(frozen=True)
class Network:
    """Where the run talks from and to, settled once before any socket is bound."""

    remote_ip: str | None
    remote_port: int
    family: int
    local_ip: str
    bind_ip: str  # what the SIP sockets bind to ("" = every address)
    media_ip: str


class Companion(Protocol):
    """What runs beside an engine in its loop: the outputs, or a worker's link to its coordinator."""

    def start(self) -> None: ...

    def stop(self, loop: EventLoop) -> None: ...


def run(config: Config) -> int:
    """Run sipperf as configured; returns the process exit code."""
    try:
        return _run(config)
    except FatalError as err:
        return report_fatal(err)


def load_scenario(config: Config, injection: InjectionFiles | None) -> Scenario:
    custom = frozenset(name for name, _ in config.keys)
    if config.sf:
        return load_file(config.sf, custom, injection.names if injection is not None else ())
    return load_builtin(config.sn or "uac", custom)


def default_call_limit(scenario: Scenario, config: Config) -> int:
    """SIPp's default -l: 3 x rate x max(scenario duration, -d, 1 s) / rate period, at least 1."""
    default_pauses = sum(
        1
        for s in scenario.steps
        if s.kind is StepKind.PAUSE and s.pause_ms is None and s.pause_dist is None and s.pause_var is None
    )
    duration = scenario.pause_total_ms + default_pauses * config.d
    return max(1, int(3 * config.r * max(duration, config.d, 1000) / config.rp))


def engine_settings(scenario: Scenario, config: Config) -> EngineSettings:
    max_invite = config.max_invite_retrans
    max_other = config.max_non_invite_retrans
    if config.max_retrans is not None:
        max_invite = min(max_invite, config.max_retrans)
        max_other = min(max_other, config.max_retrans)
    return EngineSettings(
        rate=config.r,
        rate_period_ms=config.rp,
        call_limit=config.l if config.l is not None else default_call_limit(scenario, config),
        max_calls=config.m,
        default_pause_ms=config.d,
        recv_timeout_ms=config.recv_timeout,
        retrans_enabled=not config.nr,
        loose_rtcheck=config.rtcheck == "loose",
        lost_percent=config.lost,
        max_invite_retrans=max_invite,
        max_non_invite_retrans=max_other,
        t2_ms=config.T2,
        base_cseq=config.base_cseq,
        cid_str=config.cid_str,
        deadcall_wait_ms=config.deadcall_wait,
        behaviors=config.default_behaviors,
        auto_answer=config.aa,
        pause_msg_ign=config.pause_msg_ign,
        callid_slash_ign=config.callid_slash_ign,
        timer_resol_ms=max(0, config.timer_resol),
        global_timeout_ms=config.timeout,
        max_sched_loops=config.max_sched_loops,
        global_variables=global_variables(scenario, config),
        users=config.users,
    )


def global_variables(scenario: Scenario, config: Config) -> tuple[tuple[str, str], ...]:
    """`-set name value`: a string value for a variable of the scenario's <Global> declaration."""
    for name, _ in config.set_vars:
        if scenario.variable_scopes.get(name) is not Scope.GLOBAL:
            what = f"Can not set the global variable {name}, because it does not exist."
            raise FatalError(what, EXIT_FAILED_CALLS)
    return config.set_vars


def resolve_remote(config: Config) -> tuple[str, int, int]:
    """(ip, port, family) of the remote host, printing SIPp's `Resolving remote host` line."""
    host = config.remote_host
    assert host is not None
    sys.stderr.write(f"Resolving remote host '{host}'... ")
    try:
        info = socket.getaddrinfo(host, config.remote_port or DEFAULT_REMOTE_PORT, type=socket.SOCK_DGRAM)
    except socket.gaierror:
        sys.stderr.write("\n")
        raise FatalError(f"Unknown remote host '{host}'.", hint="Use 'sipp -h' for details") from None
    sys.stderr.write("Done.\n")
    family, _, _, _, sockaddr = info[0]
    return sockaddr[0], config.remote_port or DEFAULT_REMOTE_PORT, family


def auto_local_ip(remote_ip: str | None, family: int) -> str:
    """SIPp's default local IP: the address used to reach the remote, else the host name's."""
    if remote_ip is not None:
        probe = socket.socket(family, socket.SOCK_DGRAM)
        try:
            probe.connect((remote_ip, 9))
            return probe.getsockname()[0]
        finally:
            probe.close()
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def bracketed(ip: str) -> str:
    return f"[{ip}]" if ":" in ip else ip


def background() -> None:
    """`-bg`: the parent prints the child's PID and exits 99; the child runs without a terminal."""
    pid = os.fork()
    if pid:
        print(f"Background mode - PID=[{pid}]", flush=True)
        os._exit(EXIT_NO_CALLS)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)


def resolve_network(config: Config) -> Network:
    """The remote address (printing SIPp's `Resolving` line), the local address and the family."""
    remote_ip, remote_port, family = None, DEFAULT_REMOTE_PORT, socket.AF_INET
    if config.remote_host:
        remote_ip, remote_port, family = resolve_remote(config)
    if config.i:
        family = socket.AF_INET6 if ":" in config.i else socket.AF_INET
        if remote_ip is not None and (":" in remote_ip) != (family == socket.AF_INET6):
            raise FatalError("Network family mismatch for local and remote IP")
    local_ip = config.i or auto_local_ip(remote_ip, family)
    bind_ip = local_ip if (config.i or config.bind_local) else ("::" if family == socket.AF_INET6 else "")
    return Network(remote_ip, remote_port, family, local_ip, bind_ip, config.mi or local_ip)


def bind_media(config: Config, net: Network) -> tuple[int, list[socket.socket]]:
    return bind_media_ports(net.media_ip, config.mp or config.min_rtp_port, bool(config.mp))


def build_engine(config: Config, scenario: Scenario, net: Network, transport: UdpTransport, media_port: int,
                 pid: int, injection: InjectionFiles | None,
                 clock: Callable[[], float] | None = None) -> Engine:  # fmt: skip
    """An engine for `scenario` on `transport`, configured from the command line, reading the -inf
    files `injection`."""
    ctx = RunContext(
        pid=pid,
        service=config.s,
        local_ip=bracketed(net.local_ip),
        local_port=transport.local_port,
        remote_ip=bracketed(net.remote_ip) if net.remote_ip else "",
        remote_port=net.remote_port,
        remote_host=config.remote_host or "",
        transport=transport.name,
        media_ip=net.media_ip,
        media_port=media_port,
        server_ip=net.local_ip,
        sipp_version=SIPP_VERSION,
        users=config.users if config.users is not None else -1,
        custom=dict(config.keys),
        dynamic_start=config.dynamicStart,
        dynamic_max=config.dynamicMax,
        dynamic_step=config.dynamicStep,
        dynamic_next=config.dynamicStart,
        auth_username=config.au,
        auth_password=config.ap,
        auth_uri=config.auth_uri,
        tdmmap=config.tdmmap,
        injection=injection,
    )
    remote = (net.remote_ip, net.remote_port) if net.remote_ip else None
    engine = Engine(scenario, engine_settings(scenario, config), ctx, transport, remote, Stats, clock)
    if config.l is None:
        engine.limit_for_rate = lambda rate: default_call_limit(scenario, config._replace(r=rate))
    return engine


def _run(config: Config) -> int:
    injection = load_files(config.inf, config.infindex)  # SIPp reads them with the options
    scenario = load_scenario(config, injection)
    if scenario.mode is Mode.CLIENT and not config.remote_host:
        raise FatalError("Missing remote host parameter. This scenario requires it")
    pid = os.getpid()  # SIPp names its files and [pid] after the process that was started
    signals = Signals()
    signals.install_early()
    if config.bg:
        background()
    net = resolve_network(config)
    if config.workers > 1:
        from sipperf.workers import run_workers  # here: workers.py builds its engines with this module

        return run_workers(config, scenario, net, pid, signals, injection)
    return _run_one(config, scenario, net, pid, signals, injection)


def _run_one(config: Config, scenario: Scenario, net: Network, pid: int, signals: Signals,
             injection: InjectionFiles | None) -> int:  # fmt: skip
    """One engine in this process."""
    sock = bind_udp(net.bind_ip, config.p, net.family, config.buff_size)
    transport = UdpTransport(sock, config.max_recv_loops)
    media_port, media_sockets = bind_media(config, net)
    engine = build_engine(config, scenario, net, transport, media_port, pid, injection)
    source = EngineSource(engine)
    outputs = RunOutputs(config, scenario, source, pid)
    hook_traces(engine, outputs.traces)
    try:
        event_loop(lambda: serve(engine, transport, config, signals, outputs))
    finally:
        transport.close()
        for media in media_sockets:
            media.close()
    code = finish_run(config, scenario, outputs, source)
    if engine.fatal_error is not None:  # an <error> action
        raise FatalError(engine.fatal_error)
    return code


def hook_traces(engine: Engine, traces: TraceLogs) -> None:
    """The engine writes its trace records through these (None: not traced)."""
    engine.trace_msg, engine.trace_err, engine.trace_log = traces.messages, traces.errors, traces.actions


def finish_run(config: Config, scenario: Scenario, outputs: RunOutputs, source: RunSource) -> int:
    """The final outputs, then -timeout_error's fatal error or SIPp's exit code."""
    outputs.finish()
    live = source.live()
    if live.timed_out and config.timeout_error:
        raise FatalError(f"{scenario.name} timed out after '{config.timeout / 1000:.3f}' seconds")
    return exit_code(source.stats.snapshot(), live)


def exit_code(totals: StatsSnapshot, live: LiveState) -> int:
    """SIPp's exit code from the counters (reference 11.3)."""
    if live.stop_now:
        return EXIT_INTERNAL
    failed = totals.counter("FailedCall")
    succeeded = totals.counter("SuccessfulCall")
    if live.timed_out and not failed and not succeeded:
        return EXIT_INTERNAL
    return EXIT_FAILED_CALLS if failed else EXIT_OK


async def serve(engine: Engine, transport: UdpTransport, config: Config, signals: Signals,
                companion: Companion) -> None:  # fmt: skip
    """Run `engine` on `transport` until it quits, with `companion` beside it."""
    loop = running_loop()
    transport.receiver = engine
    transport.start(loop)
    signals.hand_over(loop, engine)
    companion.start()
    if config.sleep:
        await loop.sleep(config.sleep / 1000)
    engine.every(GC_YOUNG_MS, lambda now: gc.collect(0))
    try:
        await engine.run()
    finally:
        companion.stop(loop)
        transport.close()  # SIPp closes its sockets before the final screens


def quiet_gc() -> None:
    """Keep the cycle collector off the hot path. Calls and messages are freed by reference
    counting; the collector only has rare cycles to find. What exists at start-up (scenario,
    templates, modules) is frozen out of its scans and automatic collection is off: its passes over
    the older generations held a busy run for 100 ms and more, long enough for the kernel to drop
    datagrams. `serve` checks the objects made since the last check once every GC_YOUNG_MS.
    The command starts with the collector off (sipperf.command), and what start-up left
    unreachable (under 300 objects) is frozen with the rest: a full collection to find it took
    7 ms, a sixteenth of the start-up."""
    gc.disable()
    gc.freeze()


def event_loop(main: Callable[[], Coroutine[Future, None, object]]) -> None:
    """Run the coroutine `main()` on a new event loop, with the collector quiet."""
    quiet_gc()
    EventLoop().run(main())
