"""The statistics of several worker processes as one view.

Each worker sends its cumulative snapshot now and then; the coordinator keeps the latest one of each
and adds them up (`StatsSnapshot.merge`). The screen and stat-CSV windows (`Periods`) apply to that
sum, so the outputs read `MergedStats` exactly as they read one engine's `Stats`.
"""

from __future__ import annotations

from functools import reduce

from sipperf.stats.periods import Periods, Window
from sipperf.stats.snapshot import StatsLayout, StatsSnapshot


class MergedStats:
    """`count` workers' statistics, all equal to `start` (nothing counted yet) until they report."""

    def __init__(self, start: StatsSnapshot, count: int) -> None:
        self._latest = [start] * count
        self._periods = Periods(start)

    @property
    def layout(self) -> StatsLayout:
        return self._latest[0].layout

    def update(self, index: int, snapshot: StatsSnapshot) -> None:
        """Worker `index`'s latest cumulative snapshot."""
        self._latest[index] = snapshot

    def total(self) -> StatsSnapshot:
        """The sum of every worker's latest snapshot."""
        return reduce(StatsSnapshot.merge, self._latest)

    def snapshot(self) -> StatsSnapshot:
        return self._periods.cumulative(self.total())

    def views(self, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]:
        return self._periods.views(self.total(), window)

    def end_period(self, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]:
        return self._periods.end_period(self.total(), window)
