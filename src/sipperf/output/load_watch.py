"""Honest saturation: says when sipperf itself, not the peer, could not keep up.

Every second the run's own load (CPU share of a core per process, lateness of the scheduler's timer
passes, achieved against target call rate) is read from the statistics' `LOAD` window. Overloaded
seconds are counted; the live screen shows a warning line while it lasts, and the exit summary on
stderr says how long and how badly, so that failed calls and retransmissions caused by sipperf's own
lateness are not taken for the peer's.
"""

from __future__ import annotations

from sipperf.stats import StatsViews, Window
from sipperf.stats.snapshot import StatsSnapshot

WATCH_MS = 1000


class LoadWatch:
    """The overloaded seconds of a run, fed by `tick` every `WATCH_MS`."""

    def __init__(self, stats: StatsViews, client: bool) -> None:
        self.stats = stats
        self.client = client
        self.seconds = 0  # periods watched
        self.overloaded = 0  # of which overloaded
        self.peak_cpu = 0.0  # share of a core per process, over the overloaded periods
        self.peak_lag_ms = 0
        self.drops = 0
        self.last: StatsSnapshot | None = None  # the latest period, when it was overloaded
        self.target = 0.0  # the target call rate then

    def tick(self, target_rate: float) -> None:
        periodic = self.stats.end_period(Window.LOAD)[1]
        load, elapsed = periodic.load, periodic.elapsed_ms
        self.seconds += 1
        if not load.overloaded(elapsed):
            self.last = None
            return
        self.overloaded += 1
        self.peak_cpu = max(self.peak_cpu, load.cpu_share(elapsed))
        self.peak_lag_ms = max(self.peak_lag_ms, load.max_lag_ms)
        self.drops += load.drops
        self.last = periodic
        self.target = target_rate

    def screen_line(self) -> str:
        """The live screen's warning, or "" while sipperf keeps up."""
        last = self.last
        if last is None:
            return ""
        load = last.load
        line = f"** sipperf overloaded: {100 * load.cpu_share(last.elapsed_ms):.0f}% CPU"
        if load.max_lag_ms:
            line += f", timers up to {load.max_lag_ms} ms late"
        if load.drops:
            line += f", {load.drops} datagrams dropped"
        if self.client:
            line += f", {last.call_rate:.1f} of {self.target:g} cps"
        return line + " **"

    def summary(self) -> str:
        """The exit summary line, or "" when sipperf kept up all along."""
        if not self.overloaded:
            return ""
        return (
            f"sipperf was overloaded for {self.overloaded} of {self.seconds} s (up to "
            f"{100 * self.peak_cpu:.0f}% CPU, timers up to {self.peak_lag_ms} ms late, {self.drops} "
            "datagrams dropped unread): failed calls, "
            "retransmissions and a low call rate may come from sipperf itself, not from the peer. "
            "Use -workers, a lower rate or a bigger -buff_size.\n"
        )
