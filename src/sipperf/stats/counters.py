"""The statistics of one scenario run, updated by the engine on the hot path.

The engine increments `Stats.steps[i].<field>` directly and calls the small methods below; they only
add integers to cumulative values (counts, sums and sums of squares of whole milliseconds,
repartition buckets). Everything else (periodic views, means, formatting) happens when an output asks
for a snapshot.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable

from sipperf.scenario.model import Scenario
from sipperf.stats.periods import Periods, Window
from sipperf.stats.snapshot import (
    COUNTER_NAMES,
    LAG_BOUNDS_MS,
    Load,
    Moments,
    StatsLayout,
    StatsSnapshot,
    StepTotals,
)


class StepCounters:
    """Per-step counters shown on the scenario screen; the engine adds to them directly."""

    __slots__ = ("msgs", "retrans", "timeouts", "unexp", "lost")

    def __init__(self) -> None:
        self.msgs = 0
        self.retrans = 0
        self.timeouts = 0
        self.unexp = 0
        self.lost = 0


class _Series:
    """Whole-millisecond samples: moments plus an optional repartition table."""

    __slots__ = ("count", "total", "squares", "bounds", "buckets")

    def __init__(self, bounds: tuple[int, ...] | None) -> None:
        self.count = 0
        self.total = 0
        self.squares = 0
        self.bounds = bounds
        self.buckets = [0] * (len(bounds) + 1) if bounds is not None else None

    def add(self, ms: float) -> None:
        # SIPp measures whole milliseconds; bucket i holds bounds[i-1] <= v < bounds[i].
        v = int(ms) if ms > 0 else 0
        self.count += 1
        self.total += v
        self.squares += v * v
        buckets = self.buckets
        if buckets is not None:
            buckets[bisect_right(self.bounds or (), v)] += 1

    def moments(self) -> Moments:
        return Moments(self.count, self.total, self.squares)

    def table(self) -> tuple[int, ...] | None:
        return tuple(self.buckets) if self.buckets is not None else None


class Stats:
    """Counters, response times and call lengths of one scenario; `snapshot()` for the outputs."""

    def __init__(
        self,
        scenario: Scenario,
        now_ms: Callable[[], float],
        wall: Callable[[], float] = time.time,
        cpu_ms: Callable[[], float] = lambda: time.process_time() * 1000.0,
    ) -> None:
        self.layout = StatsLayout.for_scenario(scenario)
        self._now_ms = now_ms
        self._wall = wall
        self._cpu_ms = cpu_ms
        self.steps: list[StepCounters] = [StepCounters() for _ in scenario.steps]
        self._counts = dict.fromkeys(COUNTER_NAMES, 0)
        self._user = dict.fromkeys(self.layout.counter_names, 0)
        self._rtds = {
            name: _Series(bounds)
            for name, bounds in zip(self.layout.rtd_names, self.layout.rtd_bounds, strict=True)
        }
        self._call_length = _Series(self.layout.call_length_bounds)
        self.current_calls = 0
        self.peak_calls = 0
        self.start_ms = now_ms()
        self.start_wall = wall()
        self.peak_time_ms = self.start_ms
        self._passes = 0
        self._drops = 0
        self._lag_ms = 0.0
        self._lag_buckets = [0] * (len(LAG_BOUNDS_MS) + 1)
        self._periods = Periods(self._take(self.start_ms, self.start_wall))

    # -- hot path ---------------------------------------------------------------------------
    def call_created(self, incoming: bool) -> None:
        if incoming:
            self._counts["IncomingCall"] += 1
        else:
            self._counts["OutgoingCall"] += 1
        self.current_calls += 1
        if self.current_calls > self.peak_calls:
            self.peak_calls = self.current_calls
            self.peak_time_ms = self._now_ms()

    def call_ended(self, reason: str | None, length_ms: float) -> None:
        """A call ended: `reason` None = success, "" = failed, else its `Failed...` counter name."""
        self.current_calls -= 1
        if reason is None:
            self._counts["SuccessfulCall"] += 1
        else:
            self._counts["FailedCall"] += 1
            if reason:
                self._counts[reason] += 1
        self._call_length.add(length_ms)

    def call_discarded(self) -> None:
        """A call destroyed without being counted (SIPp 3.6.1's forced-quit aborts): nothing changes,
        and, as in 3.6.1, the current-call count stays up."""

    def count(self, name: str, n: int = 1) -> None:
        """Add to a global counter: OutOfCallMsgs, DeadCallMsgs, Retransmissions, AutoAnswered,
        Warnings, FatalErrors, WatchdogMajor, WatchdogMinor."""
        self._counts[name] += n

    def rtd(self, name: str, ms: float) -> None:
        """One response-time sample of RTD `name` ("1" for rtd="true")."""
        self._rtds[name].add(ms)

    def user_counter(self, name: str) -> None:
        self._user[name] += 1

    def receive_drops(self, total: int) -> None:
        """The transport's count of datagrams dropped unread so far (polled, not on the hot path)."""
        self._drops = total

    def scheduler_pass(self, lag_ms: float) -> None:
        """The engine ran its timers `lag_ms` after it meant to."""
        self._passes += 1
        self._lag_ms += lag_ms
        self._lag_buckets[bisect_right(LAG_BOUNDS_MS, lag_ms)] += 1

    # -- views ------------------------------------------------------------------------------
    def snapshot(self) -> StatsSnapshot:
        """Cumulative statistics since the start (or the last `reset stats`)."""
        return self._periods.cumulative(self._now())

    def views(self, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]:
        """(cumulative, periodic since `window` last restarted), taken at the same instant."""
        return self._periods.views(self._now(), window)

    def end_period(self, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]:
        """Like `views`, and `window` restarts at that instant (the screen's every -f, the stat
        CSV's every -fd), so each sample falls in exactly one period."""
        return self._periods.end_period(self._now(), window)

    def reset_cumulative(self) -> None:
        """The `reset stats` command: the cumulative view restarts now."""
        self._periods.reset_cumulative(self._now())

    def _now(self) -> StatsSnapshot:
        return self._take(self._now_ms(), self._wall())

    def _take(self, now_ms: float, wall: float) -> StatsSnapshot:
        return StatsSnapshot(
            layout=self.layout,
            since_ms=self.start_ms,
            taken_ms=now_ms,
            since_wall=self.start_wall,
            taken_wall=wall,
            counts=tuple(self._counts.values()),
            current_calls=self.current_calls,
            peak_calls=self.peak_calls,
            peak_after_ms=self.peak_time_ms - self.start_ms,
            user_counters=tuple(self._user.values()),
            rtds=tuple(series.moments() for series in self._rtds.values()),
            rtd_repartitions=tuple(series.table() for series in self._rtds.values()),
            call_length=self._call_length.moments(),
            call_length_repartition=self._call_length.table(),
            steps=tuple(StepTotals(s.msgs, s.retrans, s.timeouts, s.unexp, s.lost) for s in self.steps),
            load=Load(self._cpu_ms(), 1, self._passes, self._lag_ms, tuple(self._lag_buckets), self._drops),
        )
