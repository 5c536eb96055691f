"""Every output of one run, wired to the engine: the stat CSV, the trace logs, the live screen
with its keyboard, and what is printed at exit (final screens on stdout, last error on stderr).

Files are named as SIPp names them (`<scenario>_<pid>_...` in the current directory) and flushed
on a timer, so a killed run keeps what it measured.
"""

from __future__ import annotations

import asyncio
import sys
import time

from sipperf.config import Config
from sipperf.control.keyboard import Keyboard
from sipperf.engine.engine import Engine
from sipperf.errors import FatalError
from sipperf.output.runinfo import RunInfo, StatusLine
from sipperf.output.screens import final_report, screen
from sipperf.output.stat_csv import StatCsv
from sipperf.output.trace_logs import ErrorLog, MessageLog
from sipperf.scenario.model import Mode, Scenario
from sipperf.stats import Window
from sipperf.timefmt import tab_timestamp

CLEAR = "\x1b[H\x1b[2J"
FLUSH_MS = 1000


class RunOutputs:
    def __init__(self, config: Config, scenario: Scenario, engine: Engine, pid: int) -> None:
        self.config = config
        self.scenario = scenario
        self.engine = engine
        self.prefix = f"{scenario.name}_{pid}_"
        self.displayed = 1
        self.live = sys.stdout.isatty() and not config.bg
        self.keyboard = Keyboard(engine, config.rate_scale, self.show, scenario.mode is Mode.CLIENT)
        self._created_at_refresh = 0
        self._refreshed_at = 0.0
        self.stat_csv: StatCsv | None = None
        if config.trace_stat:
            path = config.stf or self.prefix + ".csv"
            try:
                self.stat_csv = StatCsv(path, engine.stats.layout, config.stat_delimiter, config.periodic_rtd)
            except OSError as err:
                raise FatalError(f"Unable to open stat file '{path}': {err.strerror}") from None
        self.message_log = MessageLog(config.message_file or self.prefix + "messages.log",
                                      engine.transport.name, config.message_overwrite
                                      ) if config.trace_msg else None  # fmt: skip
        self.error_log = ErrorLog(config.error_file or self.prefix + "errors.log",
                                  config.error_overwrite) if config.trace_err else None  # fmt: skip
        engine.trace_msg = self.message_log
        engine.trace_err = self.error_log

    # -- while running ----------------------------------------------------------------------
    def start(self) -> None:
        engine = self.engine
        if self.stat_csv is not None:
            self.stat_csv.dump(engine.stats, self.target_rate())
            engine.every(self.config.fd, self._stat_row)
        engine.every(FLUSH_MS, self._flush)
        if self.live:
            engine.every(self.config.f, self.refresh)
            if not self.config.nostdin:
                self.keyboard.attach(asyncio.get_running_loop())

    def target_rate(self) -> float:
        return self.engine.current_rate()

    def _stat_row(self, now: float) -> None:
        assert self.stat_csv is not None
        self.stat_csv.dump(self.engine.stats, self.target_rate())

    def _flush(self, now: float) -> None:
        for log in (self.message_log, self.error_log):
            if log is not None:
                log.flush()

    def show(self, key: int) -> None:
        self.displayed = key
        if self.live:
            self.refresh(self.engine.now())

    def refresh(self, now: float) -> None:
        cumulative, periodic = self.engine.stats.end_period(Window.SCREEN)
        text = screen(self.displayed, self.scenario, cumulative, periodic, self.run_info(now))
        sys.stdout.write(CLEAR + text)
        sys.stdout.flush()

    def status(self) -> StatusLine:
        engine = self.engine
        if engine.quitting:
            return StatusLine.QUITTING
        if engine.paused:
            return StatusLine.PAUSED
        return StatusLine.CLIENT if engine.client else StatusLine.SERVER

    def run_info(self, now: float) -> RunInfo:
        engine = self.engine
        transport = engine.transport
        created = engine.created
        period_ms = int(now - self._refreshed_at)
        info = RunInfo(
            mode=self.scenario.mode,
            status=self.status(),
            rate=engine.current_rate(),
            rate_period_ms=engine.settings.rate_period_ms,
            duration_ms=engine.settings.default_pause_ms,
            local_port=engine.ctx.local_port,
            remote_ip=engine.ctx.remote_ip,
            remote_port=engine.ctx.remote_port,
            transport=transport.name,
            elapsed_ms=int(now),
            call_limit=engine.call_limit,
            max_calls=engine.settings.max_calls,
            period_calls=created - self._created_at_refresh,
            period_ms=period_ms,
            scheduler_ms=engine.settings.timer_resol_ms,
            paused=len(engine.calls),
            open_sockets=transport.open_sockets,
            send_errors=transport.send_errors,
            recv_errors=transport.recv_errors,
            cong_errors=transport.congestion,
            last_error=engine.last_error,
            lose_packets=bool(engine.settings.lost_percent),
        )
        self._created_at_refresh = created
        self._refreshed_at = now
        return info

    def stop_input(self, loop: asyncio.AbstractEventLoop) -> None:
        """Give the terminal back (inside the loop, before it closes)."""
        self.keyboard.detach(loop)

    # -- at exit ----------------------------------------------------------------------------
    def finish(self) -> None:
        """Final statistics rows, closed logs, the final screens and the last error."""
        engine = self.engine
        if self.stat_csv is not None:
            self.stat_csv.finish(engine.stats, self.target_rate())
            self.stat_csv = None
        for log in (self.message_log, self.error_log):
            if log is not None:
                log.close()
        if not self.config.bg:
            now = engine.now()
            self.run_info(now)  # SIPp restarts the screen period just before the final print
            engine.stats.end_period(Window.SCREEN)
            cumulative, periodic = engine.stats.views(Window.SCREEN)
            if self.live:
                sys.stdout.write(CLEAR)
            sys.stdout.write(final_report(self.scenario, cumulative, periodic,
                                          self.run_info(engine.now()), self.displayed))  # fmt: skip
            sys.stdout.flush()
        if engine.last_error:
            sys.stderr.write(f"{tab_timestamp(engine.last_error_at or time.time())}: {engine.last_error}\n")
            if engine.stats.snapshot().counter("Warnings") > 1:
                where = (f"see '{self.error_log.path}' file" if self.error_log is not None
                         else "enable -trace_err to log them")  # fmt: skip
                sys.stderr.write(f"There were more errors, {where}.\n")
