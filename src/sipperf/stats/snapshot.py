"""Immutable views of the statistics: what the screens and the trace files read.

A `StatsSnapshot` holds cumulative values (counts, sums and sums of squares, repartition buckets)
taken at one instant. Periodic values are the difference of two snapshots (`since`), and the
snapshots of several worker processes add up (`merge`). The derived values SIPp prints (means,
standard deviations, call rates, elapsed times) are computed here exactly as SIPp computes them.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import NamedTuple

from sipperf.scenario.model import Scenario

# The `Failed...` reasons, in the order of the stat CSV columns.
FAILED_REASONS = (
    "FailedCannotSendMessage",
    "FailedMaxUDPRetrans",
    "FailedTcpConnect",
    "FailedTcpClosed",
    "FailedUnexpectedMessage",
    "FailedCallRejected",
    "FailedCmdNotSent",
    "FailedRegexpDoesntMatch",
    "FailedRegexpShouldntMatch",
    "FailedRegexpHdrNotFound",
    "FailedOutboundCongestion",
    "FailedTimeoutOnRecv",
    "FailedTimeoutOnSend",
    "FailedTestDoesntMatch",
    "FailedTestShouldntMatch",
    "FailedStrcmpDoesntMatch",
    "FailedStrcmpShouldntMatch",
)
# The global counters that `Stats.count` increments, in the order of the stat CSV columns.
GLOBAL_COUNTERS = (
    "OutOfCallMsgs",
    "DeadCallMsgs",
    "Retransmissions",
    "AutoAnswered",
    "Warnings",
    "FatalErrors",
    "WatchdogMajor",
    "WatchdogMinor",
)
# Every additive counter of a snapshot, by its SIPp name.
COUNTER_NAMES = (
    "IncomingCall",
    "OutgoingCall",
    "SuccessfulCall",
    "FailedCall",
    *FAILED_REASONS,
    *GLOBAL_COUNTERS,
)
_COUNTER_INDEX = {name: i for i, name in enumerate(COUNTER_NAMES)}


def float32(value: float) -> float:
    """`value` rounded to a C `float`, the precision SIPp computes call rates in."""
    return struct.unpack("f", struct.pack("f", value))[0]


@dataclass(frozen=True, slots=True)
class StatsLayout:
    """What a scenario's statistics consist of: its steps, RTDs, counters and repartition tables."""

    step_count: int
    rtd_names: tuple[str, ...]
    counter_names: tuple[str, ...]
    rtd_bounds: tuple[tuple[int, ...] | None, ...]  # per RTD; None = no repartition table
    call_length_bounds: tuple[int, ...] | None

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> StatsLayout:
        rtd_table = tuple(sorted(scenario.response_time_repartition)) or None
        call_table = tuple(sorted(scenario.call_length_repartition)) or None
        return cls(
            step_count=len(scenario.steps),
            rtd_names=scenario.rtd_names,
            counter_names=scenario.counters,
            rtd_bounds=tuple(
                rtd_table if name in scenario.repartition_rtds else None for name in scenario.rtd_names
            ),
            call_length_bounds=call_table,
        )

    def rtd_number(self, name: str) -> int:
        """SIPp's number of an RTD (1 for the first one in the scenario), shown as `E-RTD<n>`."""
        return self.rtd_names.index(name) + 1


@dataclass(frozen=True, slots=True)
class Moments:
    """Count, sum and sum of squares of whole-millisecond samples."""

    count: int = 0
    total: int = 0
    squares: int = 0

    def plus(self, other: Moments) -> Moments:
        return Moments(self.count + other.count, self.total + other.total, self.squares + other.squares)

    def minus(self, other: Moments) -> Moments:
        return Moments(self.count - other.count, self.total - other.total, self.squares - other.squares)

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count > 0 else 0.0

    @property
    def stdev(self) -> float:
        """Sample standard deviation (n - 1); 0 below two samples."""
        n = self.count
        if n < 2:
            return 0.0
        return math.sqrt((n * self.squares - self.total * self.total) / (n * (n - 1)))


class StepTotals(NamedTuple):
    """The counters of one scenario step (the scenario screen's columns)."""

    msgs: int = 0
    retrans: int = 0
    timeouts: int = 0
    unexp: int = 0
    lost: int = 0


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sub(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _add_table(a: tuple[int, ...] | None, b: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if a is None or b is None else _add(a, b)


def _sub_table(a: tuple[int, ...] | None, b: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if a is None or b is None else _sub(a, b)


# Scheduler lag buckets (ms): how late the engine's timer passes ran, as a subtractable histogram.
LAG_BOUNDS_MS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
OVERLOAD_LAG_MS = 100  # a timer pass this late means sipperf itself could not keep up
OVERLOAD_CPU = 0.95  # nor can it when it used this share of a core per process
MIN_CPU_PERIOD_MS = 100  # shorter periods give no meaningful CPU share


@dataclass(frozen=True, slots=True)
class Load:
    """sipperf's own load: process CPU time and the lateness of the scheduler's passes.

    All values are sums, so a periodic view subtracts and workers add like the counters do."""

    cpu_ms: float = 0.0  # process CPU time (user + system)
    processes: int = 1  # engines summed in here (workers)
    passes: int = 0  # timer passes of the scheduler
    lag_ms: float = 0.0  # their total lateness
    lag_buckets: tuple[int, ...] = (0,) * (len(LAG_BOUNDS_MS) + 1)
    drops: int = 0  # datagrams the kernel dropped, unread, from a full receive buffer

    def minus(self, other: Load) -> Load:
        return Load(self.cpu_ms - other.cpu_ms, self.processes, self.passes - other.passes,
                    self.lag_ms - other.lag_ms, _sub(self.lag_buckets, other.lag_buckets),
                    self.drops - other.drops)  # fmt: skip

    def plus(self, other: Load) -> Load:
        return Load(self.cpu_ms + other.cpu_ms, self.processes + other.processes, self.passes + other.passes,
                    self.lag_ms + other.lag_ms, _add(self.lag_buckets, other.lag_buckets),
                    self.drops + other.drops)  # fmt: skip

    @property
    def mean_lag_ms(self) -> float:
        return self.lag_ms / self.passes if self.passes > 0 else 0.0

    @property
    def max_lag_ms(self) -> int:
        """The upper bound of the latest pass's bucket (0 when every pass was under 1 ms late);
        beyond the last bound, twice that bound."""
        for i in range(len(self.lag_buckets) - 1, 0, -1):
            if self.lag_buckets[i]:
                return LAG_BOUNDS_MS[i] if i < len(LAG_BOUNDS_MS) else 2 * LAG_BOUNDS_MS[-1]
        return 0

    def cpu_share(self, elapsed_ms: float) -> float:
        """CPU used per process over `elapsed_ms`, as a share of one core (1.0 = a full core);
        0 over periods too short to tell."""
        return self.cpu_ms / elapsed_ms / self.processes if elapsed_ms >= MIN_CPU_PERIOD_MS else 0.0

    def overloaded(self, elapsed_ms: float) -> bool:
        """sipperf could not keep up: datagrams dropped unread, a core's worth of CPU per process,
        or a timer pass far too late."""
        if self.drops or self.max_lag_ms > OVERLOAD_LAG_MS:
            return True
        return self.cpu_share(elapsed_ms) >= OVERLOAD_CPU


@dataclass(frozen=True, slots=True)
class StatsSnapshot:
    """The statistics at `taken_ms`, accumulated since `since_ms` (both on the engine's clock).

    `since_wall` / `taken_wall` are the same instants as epoch seconds, for the printed timestamps.
    `current_calls`, the peak and the step counters are values at `taken_ms`, never differences.
    """

    layout: StatsLayout
    since_ms: float
    taken_ms: float
    since_wall: float
    taken_wall: float
    counts: tuple[int, ...]  # COUNTER_NAMES order
    current_calls: int
    peak_calls: int
    peak_after_ms: float  # when the peak was reached, after the start of the statistics
    user_counters: tuple[int, ...]  # layout.counter_names order
    rtds: tuple[Moments, ...]  # layout.rtd_names order
    rtd_repartitions: tuple[tuple[int, ...] | None, ...]
    call_length: Moments
    call_length_repartition: tuple[int, ...] | None
    steps: tuple[StepTotals, ...]
    load: Load = Load()

    def counter(self, name: str) -> int:
        """A counter by its SIPp name: `IncomingCall`, `FailedCall`, `FailedMaxUDPRetrans`, `Warnings`..."""
        return self.counts[_COUNTER_INDEX[name]]

    def user_counter(self, name: str) -> int:
        """A scenario `counter="name"` value."""
        return self.user_counters[self.layout.counter_names.index(name)]

    def rtd(self, name: str) -> Moments:
        return self.rtds[self.layout.rtd_names.index(name)]

    @property
    def total_created(self) -> int:
        return self.counts[0] + self.counts[1]

    @property
    def elapsed_ms(self) -> int:
        """Whole milliseconds from `since_ms` to `taken_ms`, as SIPp truncates them."""
        return max(int(self.taken_ms - self.since_ms), 0)

    @property
    def call_rate(self) -> float:
        """Calls created per second, in C `float` arithmetic as SIPp computes it."""
        elapsed = self.elapsed_ms
        if elapsed <= 0:
            return 0.0
        return float32(float32(1000.0 * self.total_created) / float32(float(elapsed)))

    def since(self, baseline: StatsSnapshot) -> StatsSnapshot:
        """The values accumulated between `baseline` and this snapshot (a periodic view)."""
        return StatsSnapshot(
            layout=self.layout,
            since_ms=baseline.taken_ms,
            taken_ms=self.taken_ms,
            since_wall=baseline.taken_wall,
            taken_wall=self.taken_wall,
            counts=_sub(self.counts, baseline.counts),
            current_calls=self.current_calls,
            peak_calls=self.peak_calls,
            peak_after_ms=self.peak_after_ms,
            user_counters=_sub(self.user_counters, baseline.user_counters),
            rtds=tuple(a.minus(b) for a, b in zip(self.rtds, baseline.rtds, strict=True)),
            rtd_repartitions=tuple(
                _sub_table(a, b)
                for a, b in zip(self.rtd_repartitions, baseline.rtd_repartitions, strict=True)
            ),
            call_length=self.call_length.minus(baseline.call_length),
            call_length_repartition=_sub_table(
                self.call_length_repartition, baseline.call_length_repartition
            ),
            steps=self.steps,
            load=self.load.minus(baseline.load),
        )

    def merge(self, other: StatsSnapshot) -> StatsSnapshot:
        """The sum of two snapshots of the same scenario (several worker processes).

        Counts, sums and current calls add; the peak is the sum of the peaks (an upper bound of the
        true combined peak) reached at the later of the two times.
        """
        if other.layout != self.layout:
            raise ValueError("cannot merge statistics of different scenarios")
        return StatsSnapshot(
            layout=self.layout,
            since_ms=min(self.since_ms, other.since_ms),
            taken_ms=max(self.taken_ms, other.taken_ms),
            since_wall=min(self.since_wall, other.since_wall),
            taken_wall=max(self.taken_wall, other.taken_wall),
            counts=_add(self.counts, other.counts),
            current_calls=self.current_calls + other.current_calls,
            peak_calls=self.peak_calls + other.peak_calls,
            peak_after_ms=max(self.peak_after_ms, other.peak_after_ms),
            user_counters=_add(self.user_counters, other.user_counters),
            rtds=tuple(a.plus(b) for a, b in zip(self.rtds, other.rtds, strict=True)),
            rtd_repartitions=tuple(
                _add_table(a, b) for a, b in zip(self.rtd_repartitions, other.rtd_repartitions, strict=True)
            ),
            call_length=self.call_length.plus(other.call_length),
            call_length_repartition=_add_table(self.call_length_repartition, other.call_length_repartition),
            steps=tuple(StepTotals(*_add(a, b)) for a, b in zip(self.steps, other.steps, strict=True)),
            load=self.load.plus(other.load),
        )
