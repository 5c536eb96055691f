"""`-workers N`: N engine processes behind one command line, run by one coordinator.

The coordinator (the process that was started) binds every SIP socket, then forks the workers. Each
worker runs a normal engine in its own event loop on its own socket, writes its records into the
trace files the workers share (`-trace_msg`, `-trace_err`, `-trace_logs`) and never prints: it sends its
cumulative statistics and live state to the coordinator every `REPORT_MS` and once at exit, and
applies the coordinator's commands (quit, stop, rate, pause). The workers share the rate (worker k
paces r/N), `-l` (split as evenly as possible) and one counter of call numbers in shared memory, so
`-m` and `[call_number]` span the whole run. The coordinator merges what they send into one view for
the stat CSV, the live screen and the final screens, forwards signals and keys to every worker, and
exits with SIPp's exit code from the merged counters (255 if a worker dies).

Ports: UAC worker k binds its own port (`-p P`: P+k; no -p: SIPp's search from 5060), because the
answers come back to the port in its Via and Contact. UAS workers all bind the same port with
SO_REUSEPORT, and the kernel picks the worker by the sender's address and port: every call from
one peer socket (one SIPp UAC) goes to one worker, and several peers spread over the workers.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from multiprocessing.connection import Connection
from typing import NoReturn

from sipperf.config import Config
from sipperf.control.signals import Signals
from sipperf.engine.engine import Engine
from sipperf.engine.event_loop import EventLoop, Future, running_loop
from sipperf.engine.numbers import CallNumbers
from sipperf.errors import EXIT_FATAL, EXIT_OK, FatalError, report_fatal
from sipperf.output.run_outputs import FLUSH_MS, RunOutputs
from sipperf.output.runinfo import RunInfo
from sipperf.output.sources import LiveState, engine_info, live_state
from sipperf.output.trace_logs import TraceLogs
from sipperf.runner import Network, bind_media, build_engine, event_loop, finish_run, hook_traces, serve
from sipperf.scenario.injection import InjectionFiles
from sipperf.scenario.model import Mode, Scenario
from sipperf.stats import MergedStats, Stats, StatsSnapshot
from sipperf.transport.udp import UdpTransport, bind_udp

REPORT_MS = 200  # how often a worker sends its statistics
KILL_AFTER_S = 5.0  # after a worker died, how long the others have to stop before they are killed


# ---------------------------------------------------------------------------------------------------
# What each worker gets


def share(total: int, index: int, count: int) -> int:
    """Worker `index`'s part of `total` split over `count` workers (the first ones take the rest)."""
    return total // count + (1 if index < total % count else 0)


def worker_config(config: Config, index: int) -> Config:
    """The command line as worker `index` runs it: its share of the rate and of -l."""
    count = config.workers
    limit = None if config.l is None else share(config.l, index, count)
    return config._replace(r=config.r / count, l=limit)


def shared_call_numbers(limit: int | None, scenario: Scenario) -> CallNumbers:
    """Call numbers up to -m that every worker forked from here takes from (number 1 goes to the
    `<init>` call, which each worker runs for its own variables)."""
    context = multiprocessing.get_context("fork")
    numbers = CallNumbers(limit, context.RawValue("q", 0), context.Lock())
    if scenario.init_steps:
        numbers.reserve_init()
    return numbers


def shared_clock() -> Callable[[], float]:
    """Milliseconds since now on the monotonic clock, which every process on the host reads alike."""
    origin = time.monotonic()
    return lambda: (time.monotonic() - origin) * 1000.0


def bind_worker_sockets(config: Config, mode: Mode, net: Network) -> list[socket.socket]:
    """One SIP socket per worker, by SIPp's port rules: UAC worker k on -p + k (or the next free port
    from 5060); UAS workers all on one port. The first UAS socket is bound the ordinary way (so that a
    port that another program shares is refused, not joined) and then opened to the others."""
    if mode is Mode.SERVER:
        first = bind_udp(net.bind_ip, config.p, net.family, config.buff_size)
        first.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        port = first.getsockname()[1]
        return [first, *(bind_udp(net.bind_ip, port, net.family, config.buff_size, reuse_port=True)
                         for _ in range(config.workers - 1))]  # fmt: skip
    return [bind_udp(net.bind_ip, config.p + index if config.p else 0, net.family, config.buff_size)
            for index in range(config.workers)]  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# The worker's side


@dataclass(frozen=True)
class WorkerReport:
    """What a worker sends: its statistics and live state, its settings in the first report, and
    `final` in the last one (sent once its loop has ended)."""

    snapshot: StatsSnapshot
    live: LiveState
    info: RunInfo | None = None
    final: bool = False


@dataclass(frozen=True)
class WorkerStart:
    """What every worker starts from, inherited through fork."""

    config: Config
    scenario: Scenario
    net: Network
    pid: int  # the coordinator's: [pid], Call-IDs and file names are the run's
    media_port: int
    numbers: CallNumbers
    clock: Callable[[], float]
    signals: Signals
    injection: InjectionFiles | None  # -inf: each worker has its copy (SEQUENTIAL follows the call numbers)


class WorkerLink:
    """A worker's end of its pipe to the coordinator, running beside the engine in its loop."""

    def __init__(self, conn: Connection, engine: Engine) -> None:
        self.conn = conn
        self.engine = engine
        self.graceful_quits = 0  # asked for by the coordinator (q, SIGUSR1)
        self._commands: dict[str, Callable[..., None]] = {
            "quit": self._quit, "stop": engine.stop, "set_rate": engine.set_rate,
            "set_paused": engine.set_paused,
        }  # fmt: skip

    def start(self) -> None:
        self.report(info=engine_info(self.engine))
        running_loop().add_reader(self.conn.fileno(), self._on_command)
        self.engine.every(REPORT_MS, self._tick)

    def stop(self, loop: EventLoop) -> None:
        loop.remove_reader(self.conn.fileno())

    def report(self, info: RunInfo | None = None, final: bool = False) -> None:
        engine = self.engine
        try:
            self.conn.send(WorkerReport(engine.stats.snapshot(), live_state(engine), info, final))
        except OSError:  # the coordinator is gone
            engine.stop()

    def _tick(self, now: float) -> None:
        if self.engine.numbers.used_up() and not self.engine.quitting:
            self.engine.quit(graceful=True)  # another worker placed or answered the last call (-m)
        self.report()

    def _quit(self, graceful: bool) -> None:
        """The coordinator's quit: the n-th graceful one sets the quit level to n x 10 (a second
        one forces), so a worker already quitting by itself (its part of -m is used up) is not
        forced by the first."""
        if not graceful:
            self.engine.quit(graceful=False)
            return
        self.graceful_quits += 1
        while self.engine.quitting < 10 * self.graceful_quits:
            self.engine.quit(graceful=True)

    def _on_command(self) -> None:
        try:
            name, *args = self.conn.recv()
        except (EOFError, OSError):  # the coordinator is gone: leave
            self.stop(running_loop())
            self.engine.stop()
            return
        self._commands[name](*args)


def _worker_main(start: WorkerStart, index: int, sock: socket.socket, conn: Connection) -> NoReturn:
    """The whole life of a forked worker; it never returns into the coordinator's code."""
    code = EXIT_FATAL
    try:
        code = _run_worker(start, index, sock, conn)
    except FatalError as err:
        code = report_fatal(err)
    except BaseException:  # anything else: say what, and let the coordinator fail the run
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def _run_worker(start: WorkerStart, index: int, sock: socket.socket, conn: Connection) -> int:
    config = worker_config(start.config, index)
    transport = UdpTransport(sock, config.max_recv_loops)
    engine = build_engine(config, start.scenario, start.net, transport, start.media_port, start.pid,
                          start.injection, start.clock)  # fmt: skip
    engine.numbers = start.numbers
    traces = TraceLogs.open(config, f"{start.scenario.name}_{start.pid}_", transport.name, shared=True)
    hook_traces(engine, traces)
    engine.every(FLUSH_MS, traces.flush)
    link = WorkerLink(conn, engine)
    try:
        # SIGUSR1 sent to the whole process group reaches the workers through the coordinator only:
        # straight from outside as well, it would count twice and force the quit
        signals = Signals(forwarded=(signal.SIGUSR1,))
        signals.early = list(start.signals.early)
        event_loop(lambda: serve(engine, transport, config, signals, link))
    finally:
        transport.close()
        traces.close()
    link.report(final=True)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------------
# The coordinator's side


@dataclass
class Worker:
    """A forked worker as the coordinator sees it."""

    index: int
    pid: int
    conn: Connection
    live: LiveState = field(default_factory=LiveState)
    greeted: bool = False  # its first report (with its settings) arrived
    final: bool = False  # its last report arrived
    status: int | None = None  # its wait status, once reaped

    @property
    def running(self) -> bool:
        return self.status is None


def death_message(index: int, pid: int, status: int) -> str:
    """Why a worker ended without its final report, as the coordinator's fatal error says it."""
    if os.WIFSIGNALED(status):
        how = f"was killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    else:
        how = f"exited with code {os.waitstatus_to_exitcode(status)}"
    return f"Worker {index} (pid {pid}) {how} before the end of the run"


class WorkerGroup:
    """The workers seen from the coordinator: the outputs' `RunSource` (merged statistics and live
    state) and the control that keys and signals reach every worker through."""

    def __init__(self, scenario: Scenario, config: Config, clock: Callable[[], float]) -> None:
        self.stats = MergedStats(Stats(scenario, clock).snapshot(), config.workers)
        self.info = RunInfo()  # worker 0's settings, from its first report
        self.control = self
        self.now = clock
        self.paused = False
        self.failure = ""  # why the run failed (a worker died), else empty
        self.workers: list[Worker] = []
        self._rate = config.r
        self._loop: EventLoop | None = None
        self._ready: Future | None = None  # every worker greeted or gone
        self._done: Future | None = None  # every worker gone

    # -- RunSource --------------------------------------------------------------------------
    def every(self, interval_ms: float, fn: Callable[[float], None]) -> None:
        if interval_ms <= 0:
            return
        loop = running_loop()

        def tick() -> None:
            loop.call_later(interval_ms / 1000, tick)
            fn(self.now())

        loop.call_later(interval_ms / 1000, tick)

    def live(self) -> LiveState:
        return reduce(LiveState.merge, (worker.live for worker in self.workers))

    # -- control ----------------------------------------------------------------------------
    def quit(self, graceful: bool) -> None:
        self._broadcast("quit", graceful)

    def stop(self) -> None:
        self._broadcast("stop")

    def current_rate(self) -> float:
        return self._rate

    def set_rate(self, rate: float) -> None:
        self._rate = rate
        self._broadcast("set_rate", rate / len(self.workers))

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self._broadcast("set_paused", paused)

    def _broadcast(self, *command: object) -> None:
        for worker in self.workers:
            if worker.running:
                with contextlib.suppress(OSError):  # it is leaving: its end of file will tell
                    worker.conn.send(command)

    # -- starting ---------------------------------------------------------------------------
    def spawn(self, start: WorkerStart, sockets: list[socket.socket]) -> None:
        """Fork one worker per socket; each keeps only its own socket and its end of a pipe."""
        sys.stdout.flush()
        sys.stderr.flush()
        for index, sock in enumerate(sockets):
            ours, theirs = multiprocessing.Pipe()
            try:
                pid = os.fork()
            except OSError as err:
                raise FatalError(f"Unable to start worker {index}: {err.strerror}") from None
            if pid == 0:
                ours.close()
                for worker in self.workers:
                    worker.conn.close()
                for other in sockets:
                    if other is not sock:
                        other.close()
                _worker_main(start, index, sock, theirs)
            theirs.close()
            self.workers.append(Worker(index, pid, ours))
        for sock in sockets:
            sock.close()

    # -- running ----------------------------------------------------------------------------
    async def run(self, outputs: RunOutputs, signals: Signals) -> None:
        """Until every worker has exited: their reports in, the outputs and signals wired once all
        have started."""
        loop = self._loop = running_loop()
        self._ready, self._done = loop.create_future(), loop.create_future()
        for worker in self.workers:
            loop.add_reader(worker.conn.fileno(), self._on_readable, worker)
        await self._ready
        signals.hand_over(loop, self)
        outputs.start()
        try:
            await self._done
        finally:
            outputs.stop(loop)

    def _on_readable(self, worker: Worker) -> None:
        try:
            report = worker.conn.recv()
        except (EOFError, OSError):
            self._reap(worker)
            return
        self.stats.update(worker.index, report.snapshot)
        worker.live = report.live
        worker.final = report.final
        if report.info is not None:
            worker.greeted = True
            if worker.index == 0:
                self.info = report.info
            self._settle()

    def _reap(self, worker: Worker) -> None:
        assert self._loop is not None
        self._loop.remove_reader(worker.conn.fileno())
        worker.conn.close()
        worker.status = os.waitpid(worker.pid, 0)[1]
        if not worker.final or os.waitstatus_to_exitcode(worker.status) != EXIT_OK:
            self._fail(death_message(worker.index, worker.pid, worker.status))
        self._settle()

    def _settle(self) -> None:
        """Resolve what the workers' states now allow."""
        assert self._ready is not None and self._done is not None
        if not self._ready.done() and all(w.greeted or not w.running for w in self.workers):
            self._ready.set_result(None)
        if not self._done.done() and not any(w.running for w in self.workers):
            self._done.set_result(None)

    def _fail(self, message: str) -> None:
        """A worker died: the others stop (and are killed if they do not), the run fails."""
        if self.failure:
            return
        self.failure = message
        self.stop()
        assert self._loop is not None
        self._loop.call_later(KILL_AFTER_S, self._kill_running)

    def _kill_running(self) -> None:
        for worker in self.workers:
            if worker.running:
                os.kill(worker.pid, signal.SIGKILL)


def run_workers(config: Config, scenario: Scenario, net: Network, pid: int, signals: Signals,
                injection: InjectionFiles | None) -> int:  # fmt: skip
    """Run `scenario` in `config.workers` processes; returns SIPp's exit code for the whole run."""
    sockets = bind_worker_sockets(config, scenario.mode, net)
    media_port, media_sockets = bind_media(config, net)  # one media reservation for the run
    clock = shared_clock()
    group = WorkerGroup(scenario, config, clock)
    outputs = RunOutputs(config, scenario, group, pid, workers=True)
    numbers = shared_call_numbers(config.m, scenario)
    start = WorkerStart(config, scenario, net, pid, media_port, numbers, clock, signals, injection)
    group.spawn(start, sockets)
    try:
        event_loop(lambda: group.run(outputs, signals))
    finally:
        for media in media_sockets:
            media.close()
    code = finish_run(config, scenario, outputs, group)
    if group.failure:
        raise FatalError(group.failure)
    return code
