"""One SIP call: a state machine over the scenario's steps.

The engine hands a call one event at a time (a message, or its timer) with the current time; the
call advances through its steps until it must wait, sends through the engine, and tells the engine
when it next wants waking (`wake_at`). No coroutine, no thread: 100k calls are 100k small objects.
The matching, retransmission, unexpected-message and abort rules are SIPp's (reference 3.5-3.9).
"""

from __future__ import annotations

import random
import socket
from typing import TYPE_CHECKING, Final

from sipperf.engine.call_actions import CallActions, RunStopped
from sipperf.errors import FatalError
from sipperf.scenario.actions import CALL_REJECTED, run_actions
from sipperf.scenario.distributions import pause_length
from sipperf.scenario.model import Step, StepKind
from sipperf.scenario.variables import Scope, Value, VarRef, as_double, is_set
from sipperf.sip.digest import Challenge
from sipperf.sip.headers import route_set
from sipperf.sip.message import SipMessage

if TYPE_CHECKING:
    from sipperf.engine.engine import Engine

INF: Final = float("inf")
SEND: Final = StepKind.SEND
RECV: Final = StepKind.RECV
PAUSE: Final = StepKind.PAUSE
NOP: Final = StepKind.NOP
AUTO_ANSWERED_WITH_AA: Final = ("INFO", "NOTIFY", "OPTIONS", "UPDATE")
# Requests that stop the retransmission of our last message when matched at a later step.
_STOPPING_REQUESTS: Final = ("ACK", "CANCEL", "BYE", "PRACK")
# What `act` returns besides a step index to continue at.
GO_ON: Final = -1
ENDED: Final = -2


class CallTimer:
    """What the timer wheel holds for a call: the call while it lives, then nothing. Wheel entries
    are never cancelled (engine/timers.py), so an ended call held there directly stayed in memory,
    with its last message, until its last entry expired: a retransmission timer, T1 (500 ms)
    after its request. At 1000 calls/s, 500 ended calls waited so, and their memory came back
    cold to the allocator."""

    __slots__ = ("call",)

    def __init__(self, call: Call) -> None:
        self.call: Call | None = call


class Call:
    """A call's position in the scenario, its dialog state and its timers."""

    __slots__ = (
        "engine", "number", "call_id", "peer", "incoming", "start", "index", "msg_index", "cseq",
        "last_msg", "peer_tag", "userid", "alive", "wake_at", "pause_end", "recv_deadline",
        "recv_timeout_step", "rt_step", "rt_data", "rt_next", "rt_interval", "rt_count", "h_last",
        "last_recv_index", "h_rt", "rt_reply", "rt_send_index", "rt_recv_index", "received_any",
        "established", "ack_pending", "last_request_sent", "last_invite_cseq", "rtd_start",
        "rtd_done", "action_error", "txn_branches", "sent_any", "variables", "routes", "next_url",
        "lines",
        "challenge", "tdm_circuit", "srtp_keys", "timer",
    )  # fmt: skip

    def __init__(self, engine: Engine, number: int, call_id: str, peer: tuple, incoming: bool,
                 now: float) -> None:  # fmt: skip
        self.engine = engine
        self.number = number
        self.call_id = call_id
        self.peer = peer
        self.incoming = incoming
        self.start = now
        self.index = 0
        self.msg_index = 0
        self.cseq = engine.base_cseq - 1
        self.last_msg: SipMessage | None = None
        self.peer_tag: str | None = None
        self.userid = 0
        self.alive = True
        self.wake_at = INF
        self.pause_end: float | None = None
        self.recv_deadline = INF
        self.recv_timeout_step: Step | None = None
        self.rt_step: Step | None = None
        self.rt_data = b""
        self.rt_next = INF
        self.rt_interval = 0
        self.rt_count = 0
        self.h_last = 0
        self.last_recv_index = -1
        self.h_rt = 0
        self.rt_reply = b""
        self.rt_send_index = -1
        self.rt_recv_index = -1
        self.received_any = False
        self.sent_any = False
        self.established = False
        self.ack_pending = False
        self.last_request_sent = ""
        self.last_invite_cseq = -1
        self.rtd_start: dict[str, float] | None = None
        self.rtd_done: tuple[str, ...] | None = None  # few names: a tuple is a quarter of a set
        self.action_error: str | None = None
        self.txn_branches: dict[str, str] | None = None
        self.variables: dict[str, Value] | None = None  # the call's own variables, once one is set
        self.routes: str | None = None  # rrs: the route set ("" when empty), None until recorded
        self.next_url = ""  # rrs: the remote target
        self.lines: tuple[int, ...] | None = None  # -inf: the line in each file, set by the engine
        self.challenge: Challenge | None = None  # the last 401/407 received with auth="true"
        self.tdm_circuit = 0  # -tdmmap: the call's circuit, set by the engine
        self.srtp_keys: dict[str, str] | None = None  # [cryptokeyparams...]
        self.timer = CallTimer(self)  # its entries in the timer wheel; let go of at the end

    # -- running the scenario ------------------------------------------------------------
    def advance(self, now: float) -> None:
        """Execute steps from the current position until the call must wait or ends."""
        engine = self.engine
        steps = engine.steps
        count = len(steps)
        while self.alive:
            if self.index >= count:
                self.finish(now)
                return
            step = steps[self.index]
            if step.condexec is not None and is_set(self.value(step.condexec)) == step.condexec_inverse:
                self.index += 1  # condexec: the step is skipped, actions and all
                continue
            kind = step.kind
            if kind is SEND:
                if self.rt_next != INF:
                    break  # a retransmitted message is not acknowledged yet: wait for it
                data = self.send_step(step, now)
                if data is None:
                    return
                if step.actions:
                    outcome = self.act(step, data.decode("latin-1"), now)
                    if outcome != GO_ON:
                        if outcome == ENDED:
                            return
                        self.index = outcome
                        continue
                self.go_next(step)
            elif kind is RECV:
                if self.recv_deadline == INF:
                    self.arm_recv_timeout(now)
                break
            elif kind is PAUSE:
                if self.pause_end is None:
                    engine.stats.steps[step.index].msgs += 1
                    self.bookkeep(step, now)
                    self.pause_end = now + self.pause_length(step)
                    if step.timewait and self.last_msg is not None:
                        self.last_msg.drop_caches()  # seconds kept, and freed cold at the end
                    if step.actions:
                        outcome = self.act(step, "", now)
                        if outcome != GO_ON:
                            self.pause_end = None
                            if outcome == ENDED:
                                return
                            self.index = outcome
                            continue
                    break  # as SIPp, a pause (even of 0 ms) ends at a timer pass, not at once
                if now < self.pause_end:
                    break
                self.pause_end = None
                self.go_next(step)
            else:
                engine.stats.steps[step.index].msgs += 1
                self.bookkeep(step, now)
                if step.actions:
                    outcome = self.act(step, "", now)
                    if outcome != GO_ON:
                        if outcome == ENDED:
                            return
                        self.index = outcome
                        continue
                self.go_next(step)
        self.reschedule()

    def pause_length(self, step: Step) -> int:
        """This pause's length in ms: fixed, drawn from its distribution, read from its variable
        (SIPp's conversion of a double), or -d."""
        if step.pause_ms is not None:
            return step.pause_ms
        if step.pause_dist is not None:
            return pause_length(step.pause_dist.sample())
        if step.pause_var is not None:
            return pause_length(as_double(self.value(step.pause_var)))
        return self.engine.default_pause_ms

    def value(self, ref: VarRef) -> Value | None:
        """A variable's value as this call sees it."""
        if ref.scope is Scope.CALL:
            variables = self.variables
            return variables.get(ref.name) if variables else None
        engine = self.engine
        if ref.scope is Scope.GLOBAL:
            return engine.global_variables.get(ref.name)
        return engine.user_variables.get(self.userid, {}).get(ref.name)

    def act(self, step: Step, message: str, now: float) -> int:
        """Run the step's action block (reference 4). GO_ON, ENDED (the call or the run ended) or the
        step index a jump continues at. A failure stops the block; on a recv it fails the call at
        its end (a stop_call at once), on a nop too (SIPp 3.7.5; a stop_call there keeps the call
        out of the counts); SIPp ignores the failures of send and pause blocks."""
        ctx = CallActions(self, step.index, message)
        try:
            failure = run_actions(step.actions, ctx)
        except RunStopped:
            return ENDED
        except FatalError as err:
            self.engine.fatal(err.message)
            return ENDED
        if failure is not None:
            if step.kind is RECV:
                if ctx.stop:
                    self.fail(CALL_REJECTED, now, abort=False)
                    return ENDED
                self.action_error = failure
            elif step.kind is NOP:
                self.action_error = failure
        if not self.alive:
            return ENDED
        return GO_ON if ctx.jump_to is None else ctx.jump_to

    def set_destination(self, host: str, port: int, protocol: str) -> None:
        """`<setdest>`: this call's messages go to host:port from now on (UDP only here)."""
        if protocol.lower() != self.engine.transport_name.lower():
            raise FatalError("Can not switch protocols during setdest.")
        try:
            info = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except (OSError, UnicodeError) as err:
            raise FatalError(f"Unknown host '{host}' for setdest: {err}") from None
        self.peer = info[0][4][:2]

    def go_next(self, step: Step) -> None:
        """Move past `step`, following its `next` when the test and chance allow."""
        target = step.next
        if target is not None and self.branch_taken(step):
            self.index = target
        else:
            self.index = step.index + 1

    def branch_taken(self, step: Step) -> bool:
        """`test` (the variable is set) and `chance` must both hold (reference 3.3.7)."""
        if step.test is not None and not is_set(self.value(step.test)):
            return False
        return step.chance is None or random.random() < step.chance

    def reschedule(self) -> None:
        wake = self.rt_next
        if self.pause_end is not None and self.pause_end < wake:
            wake = self.pause_end
        if self.recv_deadline < wake:
            wake = self.recv_deadline
        if wake != self.wake_at:
            self.wake_at = wake
            if wake != INF:
                self.engine.timers.schedule(self.timer, wake)

    def arm_recv_timeout(self, now: float) -> None:
        """Earliest timeout among the consecutive recv steps from the current one (SIPp 3.7)."""
        steps = self.engine.steps
        default = self.engine.recv_timeout_ms
        best = INF
        best_step = None
        i = self.index
        while i < len(steps) and steps[i].kind is RECV:
            timeout = steps[i].timeout or default
            if timeout and now + timeout < best:
                best = now + timeout
                best_step = steps[i]
            if not steps[i].optional:
                break
            i += 1
        self.recv_deadline = best
        self.recv_timeout_step = best_step

    def bookkeep(self, step: Step, now: float) -> None:
        """RTD start/stop and scenario counters of a step that executed or matched."""
        if step.start_rtd is not None:
            if self.rtd_start is None:
                self.rtd_start = {}
            self.rtd_start[step.start_rtd] = now
            done = self.rtd_done
            if done is not None and step.start_rtd in done:
                self.rtd_done = tuple([n for n in done if n != step.start_rtd])
        name = step.rtd
        if name is not None:
            done = self.rtd_done
            if step.repeat_rtd or done is None or name not in done:
                started = self.rtd_start.get(name, self.start) if self.rtd_start else self.start
                self.engine.stats.rtd(name, now - started)
                self.rtd_done = (name,) if done is None else (*done, name)
        if step.counter is not None:
            self.engine.stats.user_counter(step.counter)

    # -- sending -------------------------------------------------------------------------
    def send_step(self, step: Step, now: float) -> bytes | None:
        """Render and send a scenario message: what was sent (or lost on purpose), None when the
        call ended on a send error."""
        engine = self.engine
        label = step.label
        if step.is_request and label != "ACK" and label != "CANCEL":
            self.cseq += 1
        self.msg_index = step.index
        data = engine.render(step.index, self)
        counters = engine.stats.steps[step.index]
        lost = step.lost if step.lost is not None else engine.lost_percent
        if lost and random.random() * 100 < lost:
            counters.lost += 1
        elif not engine.send(data, self.peer, self):
            return None
        counters.msgs += 1
        self.sent_any = True
        if step.is_request:
            self.last_request_sent = label
            if label == "ACK":
                self.established = True
                self.ack_pending = False
            elif step.txn is not None:
                self.remember_txn(step.txn, data)
        self.note_sent(data, step.index)
        self.bookkeep(step, now)
        if step.retrans and engine.retrans_enabled:
            self.rt_step = step
            self.rt_data = data
            self.rt_count = 0
            self.rt_interval = step.retrans
            self.rt_next = now + step.retrans
        return data

    def note_sent(self, data: bytes, step_index: int) -> None:
        """SIPp's retransmission-detection bookkeeping after every send (reference 3.5 step 5)."""
        if self.received_any:
            self.h_rt = self.h_last
            self.rt_reply = data
            self.rt_send_index = step_index
            self.rt_recv_index = self.last_recv_index
        self.h_last = 0

    def remember_txn(self, name: str, data: bytes) -> None:
        msg = SipMessage.from_bytes(data)
        if self.txn_branches is None:
            self.txn_branches = {}
        self.txn_branches[name] = msg.via_branch or ""

    def send_default(self, name: str, last: SipMessage | None = None) -> None:
        """Send one of SIPp's default messages (abort ACK/BYE/CANCEL, automatic 200)."""
        saved = self.last_msg
        if last is not None:
            self.last_msg = last
        # SIPp 3.6.1: the abort ACK's [branch] is the previous step's; BYE and CANCEL use index -1
        self.msg_index = self.index - 1 if name == "ack" else -1
        data = self.engine.render_default(name, self)
        self.last_msg = saved
        self.engine.send(data, self.peer, None)

    # -- timers --------------------------------------------------------------------------
    def on_timer(self, now: float) -> None:
        if not self.alive:
            return
        self.wake_at = INF
        if self.rt_next <= now:
            self.retransmit(now)
            if not self.alive:
                return
        if self.recv_deadline <= now:
            self.recv_timed_out(now)
            if not self.alive:
                return
        if self.pause_end is not None and self.pause_end <= now:
            self.advance(now)
            return
        self.reschedule()

    def retransmit(self, now: float) -> None:
        engine = self.engine
        step = self.rt_step
        assert step is not None
        limit = engine.max_invite_retrans if step.is_invite else engine.max_non_invite_retrans
        if self.rt_count >= limit:
            self.stop_retrans()
            engine.stats.steps[step.index].timeouts += 1
            if step.ontimeout is not None:
                self.jump(step.ontimeout, now)
                return
            engine.warning(f"Aborting call on UDP retransmission timeout for Call-ID '{self.call_id}'")
            self.fail("FailedMaxUDPRetrans", now, abort=True)
            return
        engine.send(self.rt_data, self.peer, self)
        self.rt_count += 1
        engine.stats.steps[step.index].retrans += 1
        engine.stats.count("Retransmissions")
        interval = self.rt_interval * 2
        if not step.is_invite and interval > engine.t2_ms:
            interval = engine.t2_ms
        self.rt_interval = interval
        self.rt_next = now + interval

    def stop_retrans(self) -> None:
        self.rt_step = None
        self.rt_data = b""
        self.rt_next = INF

    def recv_timed_out(self, now: float) -> None:
        step = self.recv_timeout_step
        self.recv_deadline = INF
        if step is None:
            return
        self.engine.stats.steps[step.index].timeouts += 1
        if step.ontimeout is not None:
            self.jump(step.ontimeout, now)
            return
        self.engine.warning(
            f"Call-Id: {self.call_id}, receive timeout on message {self.engine.scenario.title}:"
            f"{step.index} without label to jump to (ontimeout attribute): aborting call"
        )
        self.fail("FailedTimeoutOnRecv", now, abort=True)

    def jump(self, index: int, now: float) -> None:
        self.index = index
        self.recv_deadline = INF
        self.pause_end = None
        self.advance(now)

    # -- receiving -----------------------------------------------------------------------
    def on_message(self, msg: SipMessage, now: float, again: bool = False) -> None:
        """Process a message of this call (reference 3.5); `again`: re-delivered after a jump to
        `_unexp.main`, so it cannot jump there once more."""
        engine = self.engine
        steps = engine.steps
        if self.pause_end is not None and engine.pause_msg_ign:
            return
        if msg.method == "ACK" and engine.check_ack_cseq and self.last_invite_cseq >= 0:
            if msg.cseq[0] != self.last_invite_cseq:
                engine.warning(f"ACK CSeq mismatch for Call-ID '{self.call_id}'")
                self.fail("", now, abort=False)
                return
        if not msg.has_to:
            self.unexpected(msg, now)
            return
        if engine.retrans_enabled:
            digest = msg.loose_digest() if engine.loose_rtcheck else hash(msg.text) or 1
            if digest == self.h_rt:
                self.answer_retransmission()
                return
            if digest == self.h_last:
                if self.last_recv_index >= 0:
                    engine.stats.steps[self.last_recv_index].retrans += 1
                return
        else:
            digest = 0
        code = msg.code
        if code:
            tag = msg.to_tag
            if tag:
                self.peer_tag = tag
        elif msg.method == "INVITE":
            self.last_invite_cseq = msg.cseq[0]
        found = self.find_step(msg)
        if found < 0:
            if not again and self.jump_to_unexpected_handler(msg, now):
                return
            self.unexpected(msg, now)
            return
        step = steps[found]
        counters = engine.stats.steps[found]
        lost = step.lost if step.lost is not None else engine.lost_percent
        if lost and random.random() * 100 < lost:
            counters.lost += 1
            return
        self.received_any = True
        counters.msgs += 1
        self.bookkeep(step, now)
        if step.actions:  # first, as SIPp: their [last_*] keywords still see the previous message
            outcome = self.act(step, msg.text, now)
            if outcome == ENDED:
                return
        if not code:
            if msg.method == "ACK":
                self.established = True
            number = msg.cseq[0]
            if number > self.cseq:
                self.cseq = number
        rt_step = self.rt_step
        if rt_step is not None:
            if code:
                if code < 200 and not rt_step.is_invite:
                    self.rt_interval = engine.t2_ms
                    self.rt_next = now + engine.t2_ms
                else:
                    self.stop_retrans()
            elif msg.method in _STOPPING_REQUESTS and found > rt_step.index:
                self.stop_retrans()
        if code == 200:
            self.ack_pending = True
        if step.rrs and self.routes is None:
            self.record_routes(msg)
        if step.auth and (code == 401 or code == 407):
            self.keep_challenge(msg)
        if not step.advance_state:  # actions and statistics only: the position does not move...
            if step.actions and outcome != GO_ON:
                self.jump(outcome, now)  # ...but for a <jump> of the actions
            return
        self.last_msg = msg
        self.h_last = digest
        self.last_recv_index = found
        if step.optional and step.next is not None and step.test is not None and not self.branch_taken(step):
            self.reschedule()
            return
        self.recv_deadline = INF
        self.go_next(step)  # SIPp moves on from a matched recv whatever a <jump> of its actions said
        self.advance(now)

    def record_routes(self, msg: SipMessage) -> None:
        """`rrs="true"`: the route set and remote target, from the first such message only."""
        contact = msg.first("Contact") or ""
        if not contact:
            self.engine.warning("Cannot record route set if there is no Contact")
        self.routes, self.next_url = route_set(msg.values("Record-Route"), contact, not msg.code)

    def keep_challenge(self, msg: SipMessage) -> None:
        """`auth="true"`: the challenge `[authentication]` answers (reference 7.1), Proxy-Authenticate
        before WWW-Authenticate; SIPp's fatal error when the 401/407 has neither."""
        values = msg.values("Proxy-Authenticate") or msg.values("WWW-Authenticate")
        if not values:
            raise FatalError("Couldn't find 'Proxy-Authenticate' or 'WWW-Authenticate' in 401 or 407!")
        self.challenge = Challenge(msg.code, ", ".join(values))

    def find_step(self, msg: SipMessage) -> int:
        """SIPp's search: forward over optional steps, then backward (reference 3.5 steps 8-9)."""
        steps = self.engine.steps
        index = self.index
        count = len(steps)
        i = index
        while i < count:
            step = steps[i]
            if step.kind is RECV and self.matches(step, msg, i):
                return i
            if not (step.kind is RECV and step.optional):
                break
            i += 1
        i = index - 1
        all_optional = True
        while i >= 0:
            step = steps[i]
            if step.kind is RECV and (all_optional or step.optional_global) and self.matches(step, msg, i):
                return i
            if not step.optional:
                all_optional = False
            i -= 1
        return -1

    def matches(self, step: Step, msg: SipMessage, index: int) -> bool:
        if step.response_re is not None:  # regexp_match: the decimal code against a POSIX ERE
            if not msg.code or not step.response_re.matches(str(msg.code)):
                return False
            return self.response_in_transaction(step, msg, index)
        if step.request_re is not None:
            return not msg.code and step.request_re.matches(msg.method)
        if step.response is not None:
            if msg.code != step.response:
                return False
            return self.response_in_transaction(step, msg, index)
        return step.request is not None and msg.method == step.request

    def response_in_transaction(self, step: Step, msg: SipMessage, index: int) -> bool:
        """A response of the right code also belongs to the step's transaction (reference 3.4)."""
        if step.txn is not None:
            branches = self.txn_branches
            return branches is not None and branches.get(step.txn) == msg.via_branch
        return index == 0 or msg.cseq[1] in step.methods_before

    def answer_retransmission(self) -> None:
        """The peer repeated the message we answered: send our answer again (reference 3.5 step 5)."""
        engine = self.engine
        engine.send(self.rt_reply, self.peer, self)
        if self.rt_recv_index >= 0:
            engine.stats.steps[self.rt_recv_index].retrans += 1
        engine.stats.steps[self.rt_send_index].retrans += 1
        engine.stats.count("Retransmissions")

    def jump_to_unexpected_handler(self, msg: SipMessage, now: float) -> bool:
        """A scenario with a `_unexp.main` label handles unexpected messages itself (reference 3.5
        step 10): the position goes to `$_unexp.retaddr`, the pause deadline to
        `$_unexp.pausedaddr`, the call continues at the label and the message is handed to it there.
        False when there is no such label, or the call is already there (retaddr set)."""
        scenario = self.engine.scenario
        target = scenario.labels.get("_unexp.main")
        if target is None:
            return False
        retaddr = scenario.unexp_retaddr
        if retaddr is not None:
            if as_double(self.value(retaddr)):
                return False
            self.assign(retaddr, float(self.index))
        if scenario.unexp_pausedaddr is not None:
            self.assign(scenario.unexp_pausedaddr, float(self.pause_end or 0.0))
        self.jump(target, now)
        if self.alive:
            self.on_message(msg, now, again=True)
        return True

    def assign(self, ref: VarRef, value: Value) -> None:
        """Set a variable as this call sees it."""
        CallActions(self, self.index, "").variables(ref.scope)[ref.name] = value

    def unexpected(self, msg: SipMessage, now: float) -> None:
        """A message matching no step (reference 3.9)."""
        engine = self.engine
        method = msg.method
        current = engine.steps[self.index] if self.index < len(engine.steps) else engine.steps[-1]
        counters = engine.stats.steps[current.index]
        if method == "BYE" or method == "CANCEL":
            counters.unexp += 1
            if not engine.abort_unexpected:
                engine.warning(f"Continuing call on an unexpected {method} for call: {self.call_id}")
                return
            if engine.send_byes:
                self.send_default("200", msg)
            engine.warning(f"Aborting call on an unexpected {method} for call: {self.call_id}")
            self.fail("FailedUnexpectedMessage", now, abort=False)
            return
        if method == "PING" and engine.ping_reply:
            self.send_default("200", msg)
            engine.stats.count("AutoAnswered")
            self.finish(now, counted=False)
            return
        if method in AUTO_ANSWERED_WITH_AA and engine.auto_answer:
            self.send_default("200", msg)
            engine.stats.count("AutoAnswered")
            return
        counters.unexp += 1
        expecting = self.expectation(current)
        received = msg.text
        if engine.abort_unexpected:
            engine.warning(f"Aborting call on unexpected message for Call-Id '{self.call_id}': "
                           f"{expecting}, received '{received}'")  # fmt: skip
            self.last_msg = msg
            self.fail("FailedUnexpectedMessage", now, abort=True)
        else:
            engine.warning(f"Continuing call on unexpected message for Call-Id '{self.call_id}': "
                           f"{expecting}, received '{received}'")  # fmt: skip

    @staticmethod
    def expectation(step: Step) -> str:
        if step.kind is RECV:
            return f"while expecting '{step.label}' (index {step.index})"
        if step.kind is PAUSE:
            return f"while pausing (index {step.index})"
        return f"while sending (index {step.index})"

    # -- the end -------------------------------------------------------------------------
    def fail(self, reason: str, now: float, abort: bool) -> None:
        """End the call as failed under SIPp counter `reason`; optionally run the abort procedure."""
        if abort:
            self.abort()
        self.end(now, reason)

    def abort(self) -> None:
        """SIPp's abort procedure: the ACK/CANCEL/BYE that cleans up a client call (reference 3.9)."""
        engine = self.engine
        if not engine.send_byes or self.incoming or not self.sent_any:
            return
        last = self.last_msg
        if self.last_request_sent == "INVITE" and not self.established:
            if last is not None and last.code >= 400:
                self.send_default("ack")
            elif self.ack_pending:
                self.send_default("ack")
                self.send_default("bye")
            elif last is not None:
                self.send_default("cancel")
        elif last is not None:
            self.send_default("bye")

    def finish(self, now: float, counted: bool = True) -> None:
        """The scenario ran to its end: success, unless an action failed on the way (a stop_call in
        a nop: not counted, as SIPp 3.7.5)."""
        if counted and self.action_error != CALL_REJECTED:
            self.end(now, self.action_error)
        else:
            self.end(now, None, counted=False)

    def end(self, now: float, reason: str | None, counted: bool = True) -> None:
        if not self.alive:
            return
        self.alive = False
        self.timer.call = None
        self.stop_retrans()
        self.engine.call_ended(self, reason, now, counted)
