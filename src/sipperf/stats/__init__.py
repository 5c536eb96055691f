"""Statistics: counters updated on the hot path (`Stats`) and immutable snapshots for the outputs."""

from sipperf.stats.counters import Stats, StepCounters
from sipperf.stats.merged import MergedStats
from sipperf.stats.periods import Periods, StatsViews, Window
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
    "MergedStats",
    "Moments",
    "Periods",
    "Stats",
    "StatsLayout",
    "StatsSnapshot",
    "StatsViews",
    "StepCounters",
    "StepTotals",
    "Window",
]
