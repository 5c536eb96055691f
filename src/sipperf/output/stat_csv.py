"""The statistics CSV (`-trace_stat`): SIPp 3.6.1's columns, rows and value formats.

One header line, then one row per stat-CSV period: at start-up, every -fd, and at exit two rows
(SIPp writes one from its quit path and one from its final statistics). Every line ends with the
delimiter. Each line is flushed at once so that a killed run keeps what it measured; a failed write
(full disk) raises `OSError` for the caller to report.
"""

from __future__ import annotations

from sipperf.stats.periods import StatsViews, Window
from sipperf.stats.snapshot import FAILED_REASONS, GLOBAL_COUNTERS, Moments, StatsLayout, StatsSnapshot
from sipperf.timefmt import hms, hms_usec, tab_timestamp

# sipperf's own load, after SIPp's columns (see load_fields)
LOAD_COLUMNS = ("CPU(P)", "SchedulerLag(P)", "SchedulerLagMax(P)", "RecvDrops(P)", "Overloaded(P)")
_PAIRED_COUNTERS = ("SuccessfulCall", "FailedCall", *FAILED_REASONS, *GLOBAL_COUNTERS)


def cpp_float(value: float) -> str:
    """A floating-point value as a C++ stream prints it by default (`10`, `9.78474`, `0`)."""
    return f"{value:.6g}"


def counter_column(name: str) -> str:
    """A scenario counter's column name: a purely numeric name n becomes `GenericCounter<n>`
    (cut to 19 characters like SIPp's buffer)."""
    if name.isascii() and name.isdigit():
        return f"GenericCounter{name}"[:19]
    return name


def _repartition_header(name: str, bounds: tuple[int, ...]) -> list[str]:
    return [name, *(f"{name}_<{bound}" for bound in bounds), f"{name}_>={bounds[-1]}"]


def header_fields(layout: StatsLayout) -> list[str]:
    fields = [
        "StartTime",
        "LastResetTime",
        "CurrentTime",
        "ElapsedTime(P)",
        "ElapsedTime(C)",
        "TargetRate",
        "CallRate(P)",
        "CallRate(C)",
        "IncomingCall(P)",
        "IncomingCall(C)",
        "OutgoingCall(P)",
        "OutgoingCall(C)",
        "TotalCallCreated",
        "CurrentCall",
    ]
    for name in _PAIRED_COUNTERS:
        fields += [f"{name}(P)", f"{name}(C)"]
    for rtd in layout.rtd_names:
        fields += [
            f"ResponseTime{rtd}(P)",
            f"ResponseTime{rtd}(C)",
            f"ResponseTime{rtd}StDev(P)",
            f"ResponseTime{rtd}StDev(C)",
        ]
    fields += ["CallLength(P)", "CallLength(C)", "CallLengthStDev(P)", "CallLengthStDev(C)"]
    for counter in layout.counter_names:
        fields += [f"{counter_column(counter)}(P)", f"{counter_column(counter)}(C)"]
    for rtd, bounds in zip(layout.rtd_names, layout.rtd_bounds, strict=True):
        if bounds is not None:
            fields += _repartition_header(f"ResponseTimeRepartition{rtd}", bounds)
    if layout.call_length_bounds is not None:
        fields += _repartition_header("CallLengthRepartition", layout.call_length_bounds)
    return fields + list(LOAD_COLUMNS)


def _moments(periodic: Moments, cumulative: Moments) -> list[str]:
    """Means then standard deviations, in whole milliseconds as `HH:MM:SS:uuuuuu`."""
    return [
        hms_usec(int(periodic.mean)),
        hms_usec(int(cumulative.mean)),
        hms_usec(int(periodic.stdev)),
        hms_usec(int(cumulative.stdev)),
    ]


def _table(counts: tuple[int, ...] | None) -> list[str]:
    return [] if counts is None else ["", *map(str, counts)]


def row_fields(
    cumulative: StatsSnapshot, periodic: StatsSnapshot, target_rate: float | int, periodic_rtd: bool = False
) -> list[str]:
    """One data row: `periodic` is the stat-CSV window's snapshot; with `periodic_rtd` the
    repartition tables are the periodic ones. `target_rate` is -r (a float) or -users (an int)."""
    c, p = cumulative, periodic
    fields = [
        tab_timestamp(c.since_wall),
        tab_timestamp(p.since_wall),
        tab_timestamp(p.taken_wall),
        hms(p.elapsed_ms),
        hms(c.elapsed_ms),
        str(target_rate) if isinstance(target_rate, int) else cpp_float(target_rate),
        cpp_float(p.call_rate),
        cpp_float(c.call_rate),
        str(p.counter("IncomingCall")),
        str(c.counter("IncomingCall")),
        str(p.counter("OutgoingCall")),
        str(c.counter("OutgoingCall")),
        str(c.total_created),
        str(c.current_calls),
    ]
    for name in _PAIRED_COUNTERS:
        fields += [str(p.counter(name)), str(c.counter(name))]
    for per, cum in zip(p.rtds, c.rtds, strict=True):
        fields += _moments(per, cum)
    fields += _moments(p.call_length, c.call_length)
    for per_count, cum_count in zip(p.user_counters, c.user_counters, strict=True):
        fields += [str(per_count), str(cum_count)]
    tables = p if periodic_rtd else c
    for counts in tables.rtd_repartitions:
        fields += _table(counts)
    fields += _table(tables.call_length_repartition)
    return fields + load_fields(p)


def load_fields(periodic: StatsSnapshot) -> list[str]:
    """sipperf's columns after SIPp's: its own CPU (% of a core per process), the mean and maximum
    lateness of its scheduler (ms), datagrams the kernel dropped unread, and whether it was
    overloaded during the period."""
    load, elapsed = periodic.load, periodic.elapsed_ms
    return [
        cpp_float(round(100 * load.cpu_share(elapsed), 1)),
        cpp_float(round(load.mean_lag_ms, 3)),
        str(load.max_lag_ms),
        str(load.drops),
        "1" if load.overloaded(elapsed) else "0",
    ]


class StatCsv:
    """`<scenario>_<pid>_.csv` (or the -stf name): opened and headed at construction."""

    def __init__(
        self, path: str, layout: StatsLayout, delimiter: str = ";", periodic_rtd: bool = False
    ) -> None:
        self.path = path
        self._delimiter = delimiter
        self._periodic_rtd = periodic_rtd
        self._file = open(path, "w", encoding="utf-8", newline="")
        try:
            self._write(header_fields(layout))
        except OSError:
            self._file.close()
            raise

    def write_row(self, cumulative: StatsSnapshot, periodic: StatsSnapshot, target_rate: float | int) -> None:
        self._write(row_fields(cumulative, periodic, target_rate, self._periodic_rtd))

    def dump(self, stats: StatsViews, target_rate: float | int) -> None:
        """The row of the stat-CSV period ending now; the next period starts (at start-up, every -fd)."""
        cumulative, periodic = stats.end_period(Window.CSV)
        self.write_row(cumulative, periodic, target_rate)

    def finish(self, stats: StatsViews, target_rate: float | int) -> None:
        """At exit: SIPp's two final rows, then close."""
        self.dump(stats, target_rate)
        self.dump(stats, target_rate)
        self.close()

    def close(self) -> None:
        self._file.close()

    def _write(self, fields: list[str]) -> None:
        self._file.write(self._delimiter.join(fields) + self._delimiter + "\n")
        self._file.flush()
