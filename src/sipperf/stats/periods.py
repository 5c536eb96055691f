"""The periodic windows over a stream of cumulative snapshots.

SIPp keeps two independent periods: the screen's (restarted every `-f`) and the stat CSV's
(restarted every `-fd`; with `-periodic_rtd` its repartition tables are the periodic ones). A
periodic view is the latest snapshot minus the snapshot taken when the window last restarted, so the
hot path only ever adds to cumulative values. `reset stats` restarts the cumulative view too.
"""

from __future__ import annotations

import enum

from sipperf.stats.snapshot import StatsSnapshot


class Window(enum.Enum):
    SCREEN = "screen"  # restarted every -f
    CSV = "csv"  # restarted every -fd


class Periods:
    """Baselines of the cumulative view and of each window, for snapshots fed in by the owner."""

    def __init__(self, first: StatsSnapshot) -> None:
        self._origin = first
        self._baselines = dict.fromkeys(Window, first)

    def cumulative(self, now: StatsSnapshot) -> StatsSnapshot:
        return now.since(self._origin)

    def periodic(self, now: StatsSnapshot, window: Window) -> StatsSnapshot:
        return now.since(self._baselines[window])

    def reset(self, now: StatsSnapshot, window: Window) -> None:
        self._baselines[window] = now

    def reset_cumulative(self, now: StatsSnapshot) -> None:
        self._origin = now
