"""The engine: one event loop that creates calls, dispatches messages and timers, and quits.

It owns the clock (monotonic milliseconds since start), the table of calls by Call-ID, the dead
calls remembered for `-deadcall_wait`, the timer wheel, the rate pacer and the quit state. Calls
send through `send`; outputs plug in as periodic hooks and trace hooks (one None check when off).
"""

from __future__ import annotations

import math
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sipperf.engine.call import ENDED, GO_ON, Call, CallTimer
from sipperf.engine.dead_calls import DeadCalls
from sipperf.engine.event_loop import EventLoop, Future, Handle, running_loop
from sipperf.engine.numbers import CallNumbers
from sipperf.engine.rate import RatePacer
from sipperf.engine.timers import TimerWheel
from sipperf.errors import FatalError
from sipperf.scenario.defaults import default_templates
from sipperf.scenario.keywords import RunContext
from sipperf.scenario.model import Mode, Scenario
from sipperf.scenario.template import BoundTemplate, Template
from sipperf.scenario.variables import Value
from sipperf.sip.message import MalformedMessage, SipMessage
from sipperf.stats.counters import Stats
from sipperf.tdmmap import Circuits

if TYPE_CHECKING:
    import subprocess

KEEPALIVES: Final = (b"\r\n\r\n", b"\x00\x00\x00\x00")
COMMAND_REAP_MS: Final = 1000  # how often finished exec commands are reaped
MAX_SHARED_PEERS: Final = 4096
DROPS_POLL_MS: Final = 1000  # how often the transport's kernel drop count is read
MAX_SLEEP_MS: Final = 1000.0
SIPP_PASS_GAP_MS: Final = 3  # SIPp's measured cadence of timer passes (see pass_gap_ms)
_monotonic: Final = time.monotonic  # the loop looks around at least this often even with nothing due


@dataclass(frozen=True)
class EngineSettings:
    """What the engine needs from the command line, in engine units (ms)."""

    rate: float = 10.0
    rate_period_ms: int = 1000
    call_limit: int = 30
    max_calls: int | None = None
    default_pause_ms: int = 0
    recv_timeout_ms: int = 0
    retrans_enabled: bool = True
    loose_rtcheck: bool = False  # -rtcheck loose: retransmissions recognised by headers, not bytes
    max_invite_retrans: int = 5
    max_non_invite_retrans: int = 9
    t2_ms: int = 4000
    base_cseq: int = 1
    cid_str: str = "%u-%p@%s"
    deadcall_wait_ms: int = 33000
    behaviors: frozenset[str] = frozenset({"bye", "abortunexp", "pingreply", "cseq"})
    auto_answer: bool = False
    pause_msg_ign: bool = False
    callid_slash_ign: bool = False
    lost_percent: float = 0.0
    timer_resol_ms: int = 1
    global_timeout_ms: int = 0
    max_sched_loops: int = 1000  # calls woken per loop pass (-max_sched_loops)
    users: int | None = None  # -users N: N calls kept in progress instead of a rate
    global_variables: tuple[tuple[str, Value], ...] = ()  # -set name value


def pass_gap_ms(timer_resol_ms: int) -> int:
    """The loop runs a timer pass (due timers, new calls) once its millisecond clock has moved on
    by more than this since the last pass: -timer_resol, but at least SIPP_PASS_GAP_MS.

    SIPp's rule is -timer_resol alone (default 1 ms), but with its 1 ms socket polls and the call
    generator it wakes from its timer wheel, SIPp 3.6.1's passes come every 3.75-4 ms for any
    -timer_resol from 0 to 3: its calls leave in bursts of 4 every 3.75 ms at -r 1000, of 16
    every 4 ms at -r 4000, and a 10 ms pause lasts 10.2 to 15 ms (measured on loopback against a
    responding peer). A gap of 3 ms gives the same: bursts every 3.9 ms, a 10 ms pause of 10.8 to
    14.5 ms. A wake-up costs a Python process far more than a C one (the UAC's CPU per call at
    1000/s fell by 29% from the 1 ms gap to this one), so sipperf keeps SIPp's real cadence, not
    the finer one its option suggests. A free -users user does not wait for a pass, as in SIPp."""
    return max(timer_resol_ms, SIPP_PASS_GAP_MS)


def next_multiple(now: float, interval_ms: float) -> float:
    """The first multiple of `interval_ms` after `now`."""
    return (math.floor(now / interval_ms) + 1) * interval_ms


class Periodic:
    """A hook the loop calls every `interval_ms` (see `Engine.every`); next due at `next_ms`."""

    __slots__ = ("interval_ms", "next_ms", "fn")

    def __init__(self, interval_ms: float, next_ms: float, fn: Callable[[float], None]) -> None:
        self.interval_ms = interval_ms
        self.next_ms = next_ms
        self.fn = fn


def _no_message(call: Call) -> str:
    """What a step without a message renders: nothing ever asks (only send steps are rendered)."""
    raise AssertionError("a step without a message was rendered")


def call_id_formatter(template: str, pid: int, local_ip: str) -> Callable[[int], str]:
    """SIPp's `-cid_str`: %u call number, %p pid, %s local IP, %% percent; other %x -> '%'."""
    pieces: list[str | None] = []
    i = 0
    literal: list[str] = []
    while i < len(template):
        ch = template[i]
        if ch == "%" and i + 1 < len(template):
            code = template[i + 1]
            i += 2
            if code == "u":
                pieces.append("".join(literal))
                literal = []
                pieces.append(None)
            elif code == "p":
                literal.append(str(pid))
            elif code == "s":
                literal.append(local_ip)
            else:
                literal.append("%")
            continue
        literal.append(ch)
        i += 1
    pieces.append("".join(literal))
    if None not in pieces:
        fixed = "".join(p for p in pieces if p)
        return lambda number: fixed
    before = "".join(p for p in pieces[: pieces.index(None)] if p)
    after = "".join(p for p in pieces[pieces.index(None) + 1 :] if p is not None)
    return lambda number: f"{before}{number}{after}"


class Engine:
    """Runs one scenario against one transport."""

    def __init__(self, scenario: Scenario, settings: EngineSettings, ctx: RunContext,
                 transport: object, remote: tuple | None,
                 stats_factory: Callable[[Scenario, Callable[[], float]], Stats],
                 clock: Callable[[], float] | None = None) -> None:  # fmt: skip
        self.scenario = scenario
        self.steps = scenario.steps
        self.settings = settings
        self.ctx = ctx
        self.transport = transport
        self.remote: tuple = remote or ()  # () for a server: it places no calls
        self._t0 = _monotonic()
        self.start_wall = time.time()
        self._clock = clock  # the clock given (tests, benchmarks), else `now` reads the system's
        ctx.now_ms = self.now
        self.stats: Stats = stats_factory(scenario, self.now)
        self.client = scenario.mode is Mode.CLIENT
        # call settings read on the hot path, flattened
        self.default_pause_ms = settings.default_pause_ms
        self.recv_timeout_ms = settings.recv_timeout_ms
        self.retrans_enabled = settings.retrans_enabled
        self.loose_rtcheck = settings.loose_rtcheck
        self.max_invite_retrans = settings.max_invite_retrans
        self.max_non_invite_retrans = settings.max_non_invite_retrans
        self.t2_ms = settings.t2_ms
        self.base_cseq = settings.base_cseq
        self.lost_percent = settings.lost_percent
        self.pause_msg_ign = settings.pause_msg_ign
        self.auto_answer = settings.auto_answer
        self.send_byes = "bye" in settings.behaviors
        self.abort_unexpected = "abortunexp" in settings.behaviors
        self.ping_reply = "pingreply" in settings.behaviors
        self.check_ack_cseq = "cseq" in settings.behaviors
        self.transport_name: str = getattr(transport, "name", "UDP")
        # variables of the scenario's <Global> and <User> declarations; calls keep their own
        self.global_variables: dict[str, Value] = dict(settings.global_variables)
        self.user_variables: dict[int, dict[str, Value]] = {}
        ctx.variable_scopes = scenario.variable_scopes
        ctx.global_variables = self.global_variables
        ctx.user_variables = self.user_variables
        ctx.warning = self.warning
        self.injection = ctx.injection  # -inf: every call picks its lines when it is created
        ctx.compile = lambda text: Template.compile(text, lambda keyword: True).bind(ctx)
        self._renders: list[Callable[[Call], str]] = [
            s.template.bind(ctx).render if s.template is not None else _no_message for s in self.steps
        ]
        defaults = {**default_templates(), **scenario.default_messages}  # <DefaultMessage> replaces
        self._defaults: dict[str, Callable[[Call], str]] = {
            name: t.bind(ctx).render for name, t in defaults.items()
        }
        self._new_call_id = call_id_formatter(settings.cid_str, ctx.pid, ctx.local_ip.strip("[]"))
        self.circuits = Circuits(ctx.tdmmap) if ctx.tdmmap is not None else None  # -tdmmap
        self.calls: dict[str, Call] = {}
        self.dead_calls = DeadCalls(settings.deadcall_wait_ms)
        self._peers: dict[tuple, tuple] = {}  # see shared_peer
        self.timers = TimerWheel(0.0)
        self.pacer = RatePacer(settings.rate, settings.rate_period_ms, 0.0)
        self.call_limit = settings.call_limit
        # the default -l as a function of the rate; None when -l was given
        self.limit_for_rate: Callable[[float], int] | None = None
        self.created = 0
        # -users: the free user ids, taken from the right (N, N-1 ... 1 at first) and given back on
        # the left at call end, so the user freed first calls again first (SIPp's order)
        self.users = settings.users if self.client else None
        self.free_users: deque[int] = deque(range(1, self.users + 1)) if self.users else deque()
        self.numbers = CallNumbers(settings.max_calls)  # workers.py shares them across processes
        self.quitting = 0  # SIPp's quit level: 10 graceful, 20 forced
        self.paused = False
        self.stop_now = False
        self.timed_out = False
        self.last_error = ""
        self.last_error_at = 0.0
        self.trace_msg: Callable[[str, bytes, float], None] | None = None
        self.trace_err: Callable[[str], None] | None = None
        self.trace_log: Callable[[str], None] | None = None  # -trace_logs: <log> actions
        self.fatal_error: str | None = None  # an <error> action: the run stops, exit 255
        self._action_templates: dict[int, BoundTemplate] = {}
        self._commands: list[subprocess.Popen] = []  # exec command=: reaped by a periodic hook
        self._periodic: list[Periodic] = []
        self._next_sweep = 0.0
        self._done: Future | None = None
        self._handle: Handle | None = None
        self._armed_for = float("inf")
        self._pass_gap = pass_gap_ms(settings.timer_resol_ms)
        self._users_soon = False  # a call to place the free users' calls is queued
        self._loop: EventLoop | None = None
        self.timers.on_earlier = self.wake_soon
        dropped = getattr(transport, "dropped", None)
        if dropped is not None:
            self.every(DROPS_POLL_MS, lambda now: self.stats.receive_drops(dropped()))

    # -- clock and hooks --------------------------------------------------------------------
    def now(self) -> float:
        """The engine's clock: monotonic milliseconds since start (or the clock given)."""
        clock = self._clock
        if clock is not None:
            return clock()
        return (_monotonic() - self._t0) * 1000.0

    def every(self, interval_ms: float, fn: Callable[[float], None]) -> None:
        """Call `fn(now)` every `interval_ms` while the engine runs, at the multiples of
        `interval_ms` on the engine's clock: hooks of the same period share one wake-up."""
        if interval_ms > 0:
            self._periodic.append(Periodic(interval_ms, next_multiple(self.now(), interval_ms), fn))

    def warning(self, text: str) -> None:
        self.stats.count("Warnings")
        self.last_error = text
        self.last_error_at = time.time()
        if self.trace_err is not None:
            self.trace_err(text)

    # -- what actions ask of the run ---------------------------------------------------------
    def render_text(self, template: Template, call: Call) -> str:
        """A templated action attribute rendered for `call` (bound to this run on first use, as an
        action's: see `RunContext.in_action`)."""
        bound = self._action_templates.get(id(template))
        if bound is None:
            self.ctx.in_action = True
            try:
                bound = self._action_templates[id(template)] = template.bind(self.ctx)
            finally:
                self.ctx.in_action = False
        return bound.render(call)

    def action_log(self, text: str) -> None:
        if self.trace_log is not None:
            self.trace_log(text)

    def fatal(self, text: str) -> None:
        """An `<error>` action: SIPp's fatal error, the run ends at once (exit 255)."""
        if self.fatal_error is None:
            self.fatal_error = text
        self.stop()

    def exit_now(self) -> None:
        """`exec int_cmd="stop_now"`: leave at once, exit code 97."""
        self.stop_now = True
        self.stop()

    def run_command(self, command: str) -> None:
        """`exec command=`: `/bin/sh -c command` in its own session; never waited for here."""
        import subprocess  # here: with what it imports, 5 ms of every run's start-up

        try:
            child = subprocess.Popen(["/bin/sh", "-c", command], stdin=subprocess.DEVNULL,
                                     start_new_session=True)  # fmt: skip
        except OSError as err:
            self.warning(f"Unable to run command '{command}': {err.strerror}")
            return
        if not self._commands:
            self.every(COMMAND_REAP_MS, self._reap_commands)
        self._commands.append(child)

    def _reap_commands(self, now: float) -> None:
        self._commands = [child for child in self._commands if child.poll() is None]

    # -- sending ----------------------------------------------------------------------------
    def render(self, index: int, call: Call) -> bytes:
        text: str = self._renders[index](call)
        return text.encode("latin-1")

    def render_default(self, name: str, call: Call) -> bytes:
        text: str = self._defaults[name](call)
        return text.encode("latin-1")

    def send(self, data: bytes, addr: tuple, call: Call | None) -> bool:
        if self.trace_msg is not None:
            self.trace_msg("sent", data, self.now())
        if self.transport.send(data, addr):  # type: ignore[attr-defined]
            return True
        if call is not None:
            self.warning(f"Unable to send UDP message for Call-ID '{call.call_id}'")
            call.end(self.now(), "FailedCannotSendMessage")
        return False

    # -- receiving --------------------------------------------------------------------------
    def on_datagram(self, data: bytes, addr: tuple) -> None:
        if data in KEEPALIVES:
            return
        now = self.now()
        if self.trace_msg is not None:
            self.trace_msg("received", data, now)
        try:
            msg = SipMessage.from_bytes(data)
        except MalformedMessage:
            self.warning("non SIP message discarded")
            return
        call_id = msg.call_id
        if not call_id:
            self.warning("SIP message without Call-ID discarded")
            return
        if not self.settings.callid_slash_ign:
            slash = call_id.find("///")
            if slash >= 0:
                call_id = call_id[slash + 3 :]
        call = self.calls.get(call_id)
        if call is not None:
            call.on_message(msg, now)
            return
        ended = self.dead_calls.touch(call_id, now)
        if ended is not None:
            self.stats.count("DeadCallMsgs")
            self.warning(f"Dead call {call_id} ({ended}), received '{msg.text}'")
            return
        if not self.client and not self.quitting:
            call = self.new_call(call_id, self.shared_peer(addr), incoming=True, now=now)
            if call is not None:
                if call.alive:  # else it failed at birth (no -tdmmap circuit)
                    call.on_message(msg, now)
                return
        if self.client and self.auto_answer and msg.method in ("INFO", "NOTIFY", "OPTIONS", "UPDATE"):
            self.answer_out_of_call(msg, addr)
            return
        self.stats.count("OutOfCallMsgs")
        self.warning(f"Discarding message which can't be mapped to a known SIPp call:\n{msg.text}")

    def shared_peer(self, addr: tuple) -> tuple:
        """One tuple per peer address for the calls it places: each datagram brings its own, and a
        UAS keeps every call's for seconds (timewait). Up to MAX_SHARED_PEERS addresses."""
        peer = self._peers.get(addr)
        if peer is None:
            if len(self._peers) >= MAX_SHARED_PEERS:
                return addr
            peer = self._peers[addr] = addr
        return peer

    def on_processing_error(self, err: Exception, data: bytes) -> None:
        """An internal error while processing one message or timer: counted and logged, the run
        goes on; a fatal error (a missing `[file]`...) ends the run as SIPp's would."""
        if isinstance(err, FatalError):
            self.fatal(err.message)
            return
        where = traceback.extract_tb(err.__traceback__)[-1]
        self.warning(
            f"Internal error processing a message ({type(err).__name__}: {err} at {where.filename}:"
            f"{where.lineno}), message discarded: '{data.decode('latin-1')}'"
        )

    def answer_out_of_call(self, msg: SipMessage, addr: tuple) -> None:
        """`-aa` in client mode: a 200 OK to an out-of-call INFO/NOTIFY/OPTIONS/UPDATE."""
        helper = Call(self, 0, msg.call_id or "", addr, incoming=True, now=self.now())
        helper.last_msg = msg
        helper.alive = False
        self.send(self.render_default("200", helper), addr, None)
        self.stats.count("AutoAnswered")

    # -- calls ------------------------------------------------------------------------------
    def new_call(self, call_id: str | None, peer: tuple, incoming: bool, now: float,
                 userid: int = 0) -> Call | None:  # fmt: skip
        """A call with the next call number; the last number (-m) quits gracefully. None when -m was
        used up already (by another worker): this engine quits too."""
        number = self.numbers.take()
        if number is None:
            if not self.quitting:
                self.quit(graceful=True)
            return None
        if call_id is None:
            call_id = self._new_call_id(number)
        call = Call(self, number, call_id, peer, incoming, now)
        call.userid = userid
        if self.injection is not None:
            call.lines = self.injection.select(number, call.userid)
        self.calls[call_id] = call
        self.created += 1
        self.stats.call_created(incoming)
        if self.circuits is not None:
            call.tdm_circuit = self.circuits.take()
            if not call.tdm_circuit:  # SIPp keeps such a call, never run, and aborts it at exit
                self.warning("Can't create new outgoing call: all tdm_map circuits busy")
                self.warning(f"Aborted call with Call-ID '{call_id}'")
                call.end(now, "FailedOutboundCongestion")
        if number == self.numbers.limit:
            self.quit(graceful=True)
        return call

    def call_ended(self, call: Call, reason: str | None, now: float, counted: bool) -> None:
        self.calls.pop(call.call_id, None)
        if self.users is not None and 0 < call.userid <= self.users:
            self.free_users.appendleft(call.userid)
            self.place_users_soon()
        if self.circuits is not None and call.tdm_circuit:
            self.circuits.release(call.tdm_circuit)
        if self.quitting and not self.calls:
            self.wake_soon()
        if counted:
            self.stats.call_ended(reason, now - call.start)
        else:
            self.stats.call_discarded()
        self.dead_calls.add(call.call_id, None if reason is None else call.index, now)

    def place_calls(self, now: float) -> None:
        if self.users is not None:
            self.place_user_calls(now)
            return
        due = self.pacer.due(now)
        remote = self.remote
        for _ in range(due):
            if self.quitting:
                return
            if len(self.calls) >= self.call_limit:
                continue
            call = self.new_call(None, remote, incoming=False, now=now)
            if call is None:
                return
            try:
                call.advance(now)
            except Exception as err:  # one call's error never stops the loop
                self.on_processing_error(err, b"")

    def place_user_calls(self, now: float) -> None:
        """-users: every free user starts a call, last-first, until -m is reached."""
        free = self.free_users
        remote = self.remote
        while free and not self.quitting:
            call = self.new_call(None, remote, incoming=False, now=now, userid=free.pop())
            if call is None:
                return
            try:
                call.advance(now)
            except Exception as err:  # one call's error never stops the loop
                self.on_processing_error(err, b"")

    def place_users_soon(self) -> None:
        """A user is free: as SIPp sets its call generator running again, the user's next call
        starts once the loop has finished what it is doing, without waiting for a timer pass."""
        loop = self._loop
        if loop is not None and not self._users_soon:
            self._users_soon = True
            loop.call_soon(self._place_free_users)

    def _place_free_users(self) -> None:
        self._users_soon = False
        done = self._done
        if done is not None and not done.done() and not self.quitting and not self.paused:
            self.place_user_calls(self.now())

    def current_rate(self) -> float:
        return self.pacer.rate if self.users is None else self.users

    def set_rate(self, rate: float) -> None:
        """A new rate from now on (keys, remote control); the default -l follows it. With -users,
        the number of users: new ones start calls, removed ones finish theirs and stop."""
        if self.users is not None:
            users = max(0, int(rate))
            added = range(self.users + 1, users + 1)
            self.free_users = deque([*added, *(user for user in self.free_users if user <= users)])
            self.users = users
            self.wake_soon()
            return
        self.pacer.set_rate(rate, self.now())
        if self.limit_for_rate is not None:
            self.call_limit = self.limit_for_rate(self.pacer.rate)
        self.wake_soon()

    def set_paused(self, paused: bool) -> None:
        """Pause or resume call creation; resuming starts a fresh schedule (no burst)."""
        self.paused = paused
        if not paused:
            self.pacer.set_rate(self.pacer.rate, self.now())
            self.wake_soon()

    # -- quitting ---------------------------------------------------------------------------
    def quit(self, graceful: bool) -> None:
        """`q`/SIGUSR1 (graceful: +10) or `Q` (forced: +20); 20 or more aborts every call."""
        self.quitting += 10 if graceful else 20
        if self.quitting >= 20:
            self.abort_all()
        self.wake_soon()

    def abort_all(self) -> None:
        """Forced quit as SIPp 3.7.5: every call is aborted and counted failed."""
        now = self.now()
        for call in list(self.calls.values()):
            self.warning(f"Aborted call with Call-ID '{call.call_id}'")
            call.fail("", now, abort=True)

    def stop(self) -> None:
        """Leave the loop at once (SIGTERM/SIGINT, stop_now)."""
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    def on_global_timeout(self) -> None:
        self.timed_out = True
        self.quit(graceful=False)

    # -- the loop ---------------------------------------------------------------------------
    def _tick(self) -> None:
        self._handle = None
        now = self.now()
        self.stats.scheduler_pass(now - self._armed_for if now > self._armed_for else 0.0)
        if self.advance_time(now):
            self.stop()
            return
        self._arm(now, self.next_wake(now))

    def next_wake(self, now: float) -> float:
        """When the loop next has something to do (a timer, a new call, a periodic hook)."""
        wake = min(self.timers.next_due(), now + MAX_SLEEP_MS)
        if self.client and not self.quitting and not self.paused:
            if self.users is None:
                wake = min(wake, self.pacer.next_due_ms())
            elif self.free_users:
                wake = now
        for hook in self._periodic:
            if hook.next_ms < wake:
                wake = hook.next_ms
        return wake

    def _arm(self, now: float, wake: float) -> None:
        """Run the next tick at `wake`, but as SIPp runs its timer passes: once its millisecond
        clock has moved on by more than the pass gap (see `pass_gap_ms`) since the last one."""
        loop = self._loop
        if loop is None or self._done is None or self._done.done():
            return
        wake = max(wake, int(now) + self._pass_gap + 1)  # int: floor, as now >= 0
        if self._handle is not None:
            if self._armed_for <= wake:
                return
            self._handle.cancel()
        self._armed_for = wake
        self.timers.alarm = wake
        self._handle = loop.call_later((wake - now) / 1000.0, self._tick)

    def wake_soon(self, at: float = 0.0) -> None:
        """Something changed outside a tick (a new timer, quit, rate): look again by `at`."""
        self._arm(self.now(), at)

    def advance_time(self, now: float) -> bool:
        """One pass of the loop at time `now`: timers, new calls, periodic hooks. True when done."""
        due: list[CallTimer] = self.timers.expire(now, self.settings.max_sched_loops)
        for timer in due:
            call = timer.call  # None once the call has ended
            if call is not None and call.wake_at <= now:
                try:
                    call.on_timer(now)
                except Exception as err:  # one call's error never stops the loop
                    self.on_processing_error(err, b"")
        if self.client and not self.quitting and not self.paused:
            self.place_calls(now)
        for hook in self._periodic:
            if now >= hook.next_ms:
                hook.next_ms = next_multiple(now, hook.interval_ms)
                hook.fn(now)
        if now >= self._next_sweep and self.dead_calls:
            self._next_sweep = now + 1000
            self.dead_calls.sweep(now)
        return bool(self.quitting) and not self.calls

    def run_init(self) -> None:
        """`<init>`: its nops run once, before any call, for an internal call that takes call
        number 1 (Call-ID `///main-init`) but is not one of the -m calls; only global (and user)
        variables outlive it."""
        steps = self.scenario.init_steps
        if not steps:
            return
        now = self.now()
        number = self.numbers.reserve_init()
        call = Call(self, number, "///main-init", (), incoming=False, now=now)
        if self.injection is not None:  # SIPp's init call takes its lines like any other
            call.lines = self.injection.select(number, call.userid)
        while 0 <= call.index < len(steps):
            step = steps[call.index]
            outcome = call.act(step, "", now) if step.actions else GO_ON
            if outcome == ENDED:
                return
            if outcome != GO_ON:
                call.index = outcome
            elif step.next is not None and call.branch_taken(step):
                call.index = step.next
            else:
                call.index += 1

    async def run(self) -> None:
        """Run until quit; the caller has started the transport. The call schedule starts now."""
        self.run_init()
        self._loop = running_loop()
        self.pacer.set_rate(self.pacer.rate, self.now())
        self._done = self._loop.create_future()
        timeout = self.settings.global_timeout_ms
        timeout_handle = None
        if timeout >= 1000:
            timeout_handle = self._loop.call_later((timeout // 1000), self.on_global_timeout)
        self._tick()
        try:
            await self._done
        finally:
            if self._handle is not None:
                self._handle.cancel()
            if timeout_handle is not None:
                timeout_handle.cancel()
