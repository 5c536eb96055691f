"""Every output of one run: the stat CSV, the trace logs, the live screen with its keyboard, and
what is printed at exit (final screens on stdout, last error on stderr).

The run is read through a `RunSource`: one engine in this process, or the merged view of several
worker processes. Files are named as SIPp names them (`<scenario>_<pid>_...` in the current
directory) and flushed on a timer, so a killed run keeps what it measured. The trace logs are
callables that the owner of the engine hooks to it (`traces`); with `-workers` each worker writes
its own records into the shared files.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

from sipperf.config import Config
from sipperf.control.keyboard import Keyboard
from sipperf.engine.event_loop import EventLoop, running_loop
from sipperf.errors import FatalError
from sipperf.output.load_watch import WATCH_MS, LoadWatch
from sipperf.output.runinfo import RunInfo, StatusLine
from sipperf.output.screens import final_report, screen
from sipperf.output.sources import LiveState, RunSource
from sipperf.output.stat_csv import StatCsv
from sipperf.output.trace_logs import TraceLogs, prepare_shared, trace_paths
from sipperf.scenario.model import Mode, Scenario
from sipperf.stats import Window
from sipperf.timefmt import tab_timestamp

CLEAR = "\x1b[H\x1b[2J"
FLUSH_MS = 1000


class RunOutputs:
    def __init__(self, config: Config, scenario: Scenario, source: RunSource, pid: int,
                 workers: bool = False) -> None:  # fmt: skip
        self.config = config
        self.scenario = scenario
        self.source = source
        self.prefix = f"{scenario.name}_{pid}_"
        self.displayed = 1
        self.live = sys.stdout.isatty() and not config.bg
        self.client = scenario.mode is Mode.CLIENT
        self.keyboard = Keyboard(source.control, config.rate_scale, self.show, self.client)
        self.load_watch = LoadWatch(source.stats, self.client)
        self._created_at_refresh = 0
        self._refreshed_at = 0.0
        self.stat_csv: StatCsv | None = None
        if config.trace_stat:
            path = config.stf or self.prefix + ".csv"
            try:
                self.stat_csv = StatCsv(path, source.stats.layout, config.stat_delimiter, config.periodic_rtd)
            except OSError as err:
                raise FatalError(f"Unable to open stat file '{path}': {err.strerror}") from None
        if workers:  # each worker writes its own records into the shared files
            prepare_shared(config, self.prefix)
            self.traces = TraceLogs()
        else:
            self.traces = TraceLogs.open(config, self.prefix, source.info.transport)

    # -- while running ----------------------------------------------------------------------
    def start(self) -> None:
        source = self.source
        if self.stat_csv is not None:
            self.stat_csv.dump(source.stats, self.target_rate())
            source.every(self.config.fd, self._stat_row)
        source.every(FLUSH_MS, self.traces.flush)
        source.every(WATCH_MS, lambda now: self.load_watch.tick(self.target_rate()))
        if self.live:
            source.every(self.config.f, self.refresh)
            if not self.config.nostdin:
                self.keyboard.attach(running_loop())

    def target_rate(self) -> float:
        return self.source.control.current_rate()

    def _stat_row(self, now: float) -> None:
        assert self.stat_csv is not None
        self.stat_csv.dump(self.source.stats, self.target_rate())

    def show(self, key: int) -> None:
        self.displayed = key
        if self.live:
            self.refresh(self.source.now())

    def refresh(self, now: float) -> None:
        cumulative, periodic = self.source.stats.end_period(Window.SCREEN)
        text = screen(self.displayed, self.scenario, cumulative, periodic, self.run_info(now))
        sys.stdout.write(CLEAR + text)
        sys.stdout.flush()

    def status(self, live: LiveState) -> StatusLine:
        if live.quitting:
            return StatusLine.QUITTING
        if live.paused:
            return StatusLine.PAUSED
        return StatusLine.CLIENT if self.client else StatusLine.SERVER

    def run_info(self, now: float) -> RunInfo:
        """The source's settings with its live state; a new screen period starts at `now`."""
        live = self.source.live()
        info = replace(
            self.source.info,
            status=self.status(live),
            rate=live.rate,
            elapsed_ms=int(now),
            call_limit=live.call_limit,
            period_calls=live.created - self._created_at_refresh,
            period_ms=int(now - self._refreshed_at),
            paused=live.open_calls,
            open_sockets=live.open_sockets,
            send_errors=live.send_errors,
            recv_errors=live.recv_errors,
            cong_errors=live.cong_errors,
            last_error=live.last_error,
            overload=self.load_watch.screen_line(),
        )
        self._created_at_refresh = live.created
        self._refreshed_at = now
        return info

    def stop(self, loop: EventLoop) -> None:
        """Give the terminal back (inside the loop, before it closes)."""
        self.keyboard.detach(loop)

    # -- at exit ----------------------------------------------------------------------------
    def finish(self) -> None:
        """Final statistics rows, closed logs, the final screens and the last error."""
        source = self.source
        if self.stat_csv is not None:
            self.stat_csv.finish(source.stats, self.target_rate())
            self.stat_csv = None
        self.traces.close()
        if not self.config.bg:
            # SIPp restarts the screen period just before the final print, on a clock that does not
            # move during it: the period is always 0 ms (so its sockets line comes twice)
            now = source.now()
            self.run_info(now)
            source.stats.end_period(Window.SCREEN)
            cumulative, periodic = source.stats.views(Window.SCREEN)
            if self.live:
                sys.stdout.write(CLEAR)
            sys.stdout.write(final_report(self.scenario, cumulative, periodic, self.run_info(now),
                                          self.displayed))  # fmt: skip
            sys.stdout.flush()
        live = source.live()
        sys.stderr.write(self.load_watch.summary())
        if live.last_error:
            sys.stderr.write(f"{tab_timestamp(live.last_error_at or time.time())}: {live.last_error}\n")
            if source.stats.snapshot().counter("Warnings") > 1:
                where = (f"see '{trace_paths(self.config, self.prefix)[1]}' file" if self.config.trace_err
                         else "enable -trace_err to log them")  # fmt: skip
                sys.stderr.write(f"There were more errors, {where}.\n")
