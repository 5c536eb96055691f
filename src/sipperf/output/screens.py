"""SIPp's screens as text: title line, body, `Last Error:` line while running, status line.

Pure functions of the scenario, statistics snapshots and a `RunInfo`; each returns whole lines,
newline-terminated, exactly as SIPp 3.6.1 prints them (trailing spaces included). The "periodic"
snapshot is the screen window's (restarted every -f). The repartition tables shown are those of
`repartitions`: the cumulative snapshot, or with -periodic_rtd the stat-CSV window's.
"""

from __future__ import annotations

from dataclasses import replace

from sipperf.output.runinfo import RunInfo, StatusLine
from sipperf.output.scenario_screen import scenario_lines
from sipperf.output.stats_screens import repartition_lines, statistics_lines
from sipperf.scenario.model import Scenario
from sipperf.stats.snapshot import StatsSnapshot

__all__ = [
    "RunInfo",
    "StatusLine",
    "final_report",
    "repartition_screen",
    "scenario_screen",
    "screen",
    "screen_dump",
    "statistics_screen",
]

SCENARIO_KEY, STATISTICS_KEY, REPARTITION_KEY = 1, 2, 3
_SECONDARY_REPARTITION_KEYS = range(6, 10)  # keys 6-9: repartition of RTD 2-5

_SCENARIO_TITLE = "------------------------------ Scenario Screen -------- [1-9]: Change Screen --"
_STATISTICS_TITLE = "----------------------------- Statistics Screen ------- [1-9]: Change Screen --"
_REPARTITION_TITLE = "---------------------------- Repartition Screen ------- [1-9]: Change Screen --"
_SECONDARY_TITLE = "--------------------------- Repartition {} Screen ------ [1-9]: Change Screen --"


def _frame(title: str, body: list[str], info: RunInfo) -> str:
    lines = [title, *body]
    if info.overload and info.status is not StatusLine.TERMINATED:
        lines.append(info.overload)
    if info.last_error and info.status is not StatusLine.TERMINATED:
        text = info.last_error
        lines.append(f"Last Error: {text[:60]}..." if len(text) > 60 else f"Last Error: {text}")
    lines.append(info.status.value)
    return "".join(line + "\n" for line in lines)


def scenario_screen(scenario: Scenario, snapshot: StatsSnapshot, info: RunInfo) -> str:
    """Screen 1: run header and per-step message counters (`snapshot` is the cumulative one)."""
    return _frame(_SCENARIO_TITLE, scenario_lines(scenario, snapshot, info), info)


def statistics_screen(cumulative: StatsSnapshot, periodic: StatsSnapshot, info: RunInfo) -> str:
    """Screen 2: periodic and cumulative counters; the times shown are the snapshots' wall times."""
    return _frame(_STATISTICS_TITLE, statistics_lines(cumulative, periodic), info)


def repartition_screen(repartitions: StatsSnapshot, info: RunInfo, which: int = 1) -> str:
    """Screen 3 (`which` = 1) or the secondary screens 6-9 (RTD number `which` = 2-5)."""
    title = _REPARTITION_TITLE if which == 1 else _SECONDARY_TITLE.format(which)
    return _frame(title, repartition_lines(repartitions, which), info)


def screen(
    key: int,
    scenario: Scenario,
    cumulative: StatsSnapshot,
    periodic: StatsSnapshot,
    info: RunInfo,
    repartitions: StatsSnapshot | None = None,
) -> str:
    """The screen selected with key `key`; 4 (variables) and 5 (TDM map) show the scenario screen."""
    if key == STATISTICS_KEY:
        return statistics_screen(cumulative, periodic, info)
    if key == REPARTITION_KEY:
        return repartition_screen(repartitions or cumulative, info, 1)
    if key in _SECONDARY_REPARTITION_KEYS:
        return repartition_screen(repartitions or cumulative, info, key - 4)
    return scenario_screen(scenario, cumulative, info)


def final_report(
    scenario: Scenario,
    cumulative: StatsSnapshot,
    periodic: StatsSnapshot,
    info: RunInfo,
    displayed: int = SCENARIO_KEY,
    repartitions: StatsSnapshot | None = None,
) -> str:
    """What SIPp prints on stdout at exit (not in -bg): the screen on display, then the statistics
    screen unless that was the one on display, each ending with the `Test Terminated` line."""
    last = replace(info, status=StatusLine.TERMINATED)
    text = screen(displayed, scenario, cumulative, periodic, last, repartitions)
    if displayed != STATISTICS_KEY:
        text += statistics_screen(cumulative, periodic, last)
    return text


def screen_dump(
    scenario: Scenario,
    cumulative: StatsSnapshot,
    periodic: StatsSnapshot,
    info: RunInfo,
    repartitions: StatsSnapshot | None = None,
) -> str:
    """The `-trace_screen` dump (at exit, `s` key, SIGUSR2): scenario, statistics and every
    repartition screen, each with its status line."""
    tables = repartitions or cumulative
    text = scenario_screen(scenario, cumulative, info) + statistics_screen(cumulative, periodic, info)
    text += repartition_screen(tables, info, 1)
    for which in range(2, len(cumulative.layout.rtd_names) + 1):
        text += repartition_screen(tables, info, which)
    return text
