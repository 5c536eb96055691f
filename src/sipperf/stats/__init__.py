"""Statistics: counters updated on the hot path (`Stats`) and immutable snapshots for the outputs."""

from sipperf.stats.counters import Stats, StepCounters
from sipperf.stats.periods import Periods, Window
from sipperf.stats.snapshot import (
    COUNTER_NAMES,
    FAILED_REASONS,
    GLOBAL_COUNTERS,
    Moments,
    StatsLayout,
    StatsSnapshot,
    StepTotals,
)

__all__ = [
    "COUNTER_NAMES",
    "FAILED_REASONS",
    "GLOBAL_COUNTERS",
    "Moments",
    "Periods",
    "Stats",
    "StatsLayout",
    "StatsSnapshot",
    "StepCounters",
    "StepTotals",
    "Window",
]
