"""Unit tests of the overload warning and exit summary (output/load_watch.py)."""

from sipperf.output.load_watch import LoadWatch
from sipperf.stats import Stats
from tests.unit.scenarios_for_tests import uac


class Clock:
    def __init__(self) -> None:
        self.ms = 0.0
        self.cpu = 0.0


def watch(client: bool = True) -> tuple[LoadWatch, Stats, Clock]:
    clock = Clock()
    stats = Stats(uac(), lambda: clock.ms, lambda: 0.0, cpu_ms=lambda: clock.cpu)
    return LoadWatch(stats, client), stats, clock


def test_no_warning_while_sipperf_keeps_up():
    load_watch, stats, clock = watch()
    clock.ms, clock.cpu = 1000.0, 300.0
    stats.scheduler_pass(0.5)
    load_watch.tick(100.0)
    assert load_watch.screen_line() == ""
    assert load_watch.summary() == ""


def test_an_overloaded_second_shows_on_screen_and_in_the_summary():
    load_watch, stats, clock = watch()
    for _ in range(80):
        stats.call_created(incoming=False)
    clock.ms, clock.cpu = 1000.0, 990.0
    stats.scheduler_pass(300.0)
    stats.receive_drops(12)
    load_watch.tick(100.0)
    assert load_watch.screen_line() == (
        "** sipperf overloaded: 99% CPU, timers up to 500 ms late, 12 datagrams dropped, 80.0 of 100 cps **"
    )
    clock.ms, clock.cpu = 2000.0, 1000.0  # the next second is fine again
    load_watch.tick(100.0)
    assert load_watch.screen_line() == ""
    assert load_watch.summary().startswith(
        "sipperf was overloaded for 1 of 2 s (up to 99% CPU, timers up to 500 ms late, 12 datagrams "
        "dropped unread): failed calls, retransmissions and a low call rate may come from sipperf itself"
    )
