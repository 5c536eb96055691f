"""The periodic windows over a stream of cumulative snapshots.

SIPp keeps two independent periods: the screen's (restarted every `-f`) and the stat CSV's
(restarted every `-fd`; with `-periodic_rtd` its repartition tables are the periodic ones). A
periodic view is the latest snapshot minus the snapshot taken when the window last restarted, so the
hot path only ever adds to cumulative values. `reset stats` restarts the cumulative view too.
`StatsViews` is what the outputs read: one engine's `Stats`, or the workers' `MergedStats`.
"""

from __future__ import annotations

import enum
from typing import Protocol

from sipperf.stats.snapshot import StatsLayout, StatsSnapshot


class Window(enum.Enum):
    SCREEN = "screen"  # restarted every -f
    CSV = "csv"  # restarted every -fd
    LOAD = "load"  # restarted every second by the load watch (output/load_watch.py)


class Periods:
    """Baselines of the cumulative view and of each window, for snapshots fed in by the owner."""

    def __init__(self, first: StatsSnapshot) -> None:
        self._origin = first
        self._baselines = dict.fromkeys(Window, first)

    def cumulative(self, now: StatsSnapshot) -> StatsSnapshot:
        return now.since(self._origin)

    def periodic(self, now: StatsSnapshot, window: Window) -> StatsSnapshot:
        return now.since(self._baselines[window])

    def views(self, now: StatsSnapshot, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]:
        """(cumulative, periodic since `window` last restarted) at `now`."""
        return self.cumulative(now), self.periodic(now, window)

    def end_period(self, now: StatsSnapshot, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]:
        """Like `views`, and `window` restarts at `now`, so each sample falls in exactly one period."""
        views = self.views(now, window)
        self.reset(now, window)
        return views

    def reset(self, now: StatsSnapshot, window: Window) -> None:
        self._baselines[window] = now

    def reset_cumulative(self, now: StatsSnapshot) -> None:
        self._origin = now


class StatsViews(Protocol):
    """Statistics as the outputs read them, through the cumulative view and the two windows."""

    @property
    def layout(self) -> StatsLayout: ...

    def snapshot(self) -> StatsSnapshot: ...

    def views(self, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]: ...

    def end_period(self, window: Window) -> tuple[StatsSnapshot, StatsSnapshot]: ...
