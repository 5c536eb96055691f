"""Where the outputs read a run from: one engine in this process, or several worker processes.

A `RunSource` gives the statistics (through their windows), the run's settings as a `RunInfo`, its
live state (`LiveState`: what the screens show besides the statistics, and what the exit code needs)
and the control the keyboard steers. `EngineSource` is one engine; the coordinator of `-workers`
(`workers.WorkerGroup`) is the other source: its workers send their `LiveState`, and it merges them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from sipperf.control.keyboard import Controllable
from sipperf.engine.engine import Engine
from sipperf.output.runinfo import RunInfo
from sipperf.stats import StatsViews

_ADDED = ("created", "open_calls", "rate", "call_limit", "open_sockets", "send_errors", "recv_errors",
          "cong_errors")  # fmt: skip
_ANY = ("quitting", "paused", "stop_now", "timed_out")


@dataclass(frozen=True, slots=True)
class LiveState:
    """An engine's state at one instant, besides its statistics."""

    created: int = 0  # calls created so far
    open_calls: int = 0
    rate: float = 0.0
    call_limit: int = 0
    quitting: bool = False
    paused: bool = False
    stop_now: bool = False
    timed_out: bool = False
    last_error: str = ""
    last_error_at: float = 0.0  # epoch seconds
    open_sockets: int = 0
    send_errors: int = 0
    recv_errors: int = 0
    cong_errors: int = 0

    def merge(self, other: LiveState) -> LiveState:
        """Two workers as one: counts, rates and limits add, flags combine, the later error shows."""
        later = other if other.last_error_at > self.last_error_at else self
        added = {name: getattr(self, name) + getattr(other, name) for name in _ADDED}
        either = {name: getattr(self, name) or getattr(other, name) for name in _ANY}
        return replace(later, **added, **either)


def live_state(engine: Engine) -> LiveState:
    transport = engine.transport
    return LiveState(
        created=engine.created,
        open_calls=len(engine.calls),
        rate=engine.current_rate(),
        call_limit=engine.call_limit,
        quitting=bool(engine.quitting),
        paused=engine.paused,
        stop_now=engine.stop_now,
        timed_out=engine.timed_out,
        last_error=engine.last_error,
        last_error_at=engine.last_error_at,
        open_sockets=transport.open_sockets,  # type: ignore[attr-defined]
        send_errors=transport.send_errors,  # type: ignore[attr-defined]
        recv_errors=transport.recv_errors,  # type: ignore[attr-defined]
        cong_errors=transport.congestion,  # type: ignore[attr-defined]
    )


def engine_info(engine: Engine) -> RunInfo:
    """The settings an engine runs with, as the screens show them (live fields left at defaults)."""
    settings, ctx = engine.settings, engine.ctx
    return RunInfo(
        mode=engine.scenario.mode,
        rate_period_ms=settings.rate_period_ms,
        duration_ms=settings.default_pause_ms,
        local_port=ctx.local_port,
        remote_ip=ctx.remote_ip,
        remote_port=ctx.remote_port,
        transport=engine.transport.name,  # type: ignore[attr-defined]
        max_calls=settings.max_calls,
        users=engine.users,
        scheduler_ms=settings.timer_resol_ms,
        lose_packets=bool(settings.lost_percent),
    )


class RunSource(Protocol):
    stats: StatsViews
    info: RunInfo
    control: Controllable  # what the keyboard steers

    def now(self) -> float: ...

    def every(self, interval_ms: float, fn: Callable[[float], None]) -> None: ...

    def live(self) -> LiveState: ...


class EngineSource:
    """One engine in this process as a `RunSource`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stats = engine.stats
        self.info = engine_info(engine)
        self.control = engine
        self.now = engine.now
        self.every = engine.every

    def live(self) -> LiveState:
        return live_state(self.engine)
