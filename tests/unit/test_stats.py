"""Stats: hot-path counters, cumulative and periodic views, merge, moments and repartition tables."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from sipperf.scenario.model import Mode
from sipperf.stats import (
    COUNTER_NAMES,
    FAILED_REASONS,
    GLOBAL_COUNTERS,
    MergedStats,
    Moments,
    Periods,
    Stats,
    StatsLayout,
    StepCounters,
    StepTotals,
    Window,
)
from sipperf.stats.snapshot import float32
from tests.unit.scenarios_for_tests import Clock, nop, recv, scenario, send, uac, uas


def make(scen=None, start_wall: float = 1_000_000.0) -> tuple[Stats, Clock]:
    clock = Clock(start_wall)
    return Stats(scen or uac(), clock.now_ms, clock.wall), clock


def test_step_counters_are_fixed_ints_starting_at_zero() -> None:
    counters = StepCounters()
    assert [getattr(counters, name) for name in ("msgs", "retrans", "timeouts", "unexp", "lost")] == [0] * 5
    with pytest.raises(AttributeError):
        counters.other = 1  # type: ignore[attr-defined]


def test_one_step_counter_per_scenario_step_in_the_snapshot() -> None:
    stats, _ = make()
    assert len(stats.steps) == len(uac().steps)
    stats.steps[0].msgs += 3
    stats.steps[0].retrans += 2
    stats.steps[4].unexp += 1
    stats.steps[5].lost += 4
    stats.steps[7].timeouts += 1
    steps = stats.snapshot().steps
    assert steps[0] == StepTotals(msgs=3, retrans=2)
    assert steps[4] == StepTotals(unexp=1)
    assert steps[5] == StepTotals(lost=4)
    assert steps[7] == StepTotals(timeouts=1)


def test_calls_created_and_ended() -> None:
    stats, clock = make()
    stats.call_created(incoming=False)
    stats.call_created(incoming=False)
    stats.call_created(incoming=True)
    assert stats.current_calls == 3
    stats.call_ended(None, 10)
    stats.call_ended("", 20)
    stats.call_ended("FailedMaxUDPRetrans", 30)
    snap = stats.snapshot()
    assert snap.counter("OutgoingCall") == 2
    assert snap.counter("IncomingCall") == 1
    assert snap.total_created == 3
    assert snap.counter("SuccessfulCall") == 1
    assert snap.counter("FailedCall") == 2
    assert snap.counter("FailedMaxUDPRetrans") == 1
    assert sum(snap.counter(name) for name in FAILED_REASONS) == 1
    assert snap.current_calls == stats.current_calls == 0
    assert snap.call_length == Moments(3, 60, 100 + 400 + 900)


def test_discarded_call_changes_nothing() -> None:
    stats, _ = make()
    stats.call_created(incoming=False)
    before = stats.snapshot()
    stats.call_discarded()
    after = stats.snapshot()
    assert after.current_calls == 1
    assert after.counts == before.counts and after.call_length == before.call_length


def test_peak_calls_and_its_time() -> None:
    stats, clock = make()
    clock.ms = 1500.0
    stats.call_created(incoming=True)
    clock.ms = 2500.0
    stats.call_created(incoming=True)
    clock.ms = 3000.0
    stats.call_ended(None, 1)
    stats.call_created(incoming=True)  # back to 2: not a new peak
    assert (stats.peak_calls, stats.peak_time_ms) == (2, 2500.0)
    snap = stats.snapshot()
    assert (snap.peak_calls, snap.peak_after_ms) == (2, 2500.0)


def test_global_and_user_counters() -> None:
    stats, _ = make(scenario("c", Mode.CLIENT, [send("INVITE"), nop(counter="hits")], counters=("hits", "7")))
    for name in GLOBAL_COUNTERS:
        stats.count(name)
    stats.count("Retransmissions", 4)
    stats.user_counter("hits")
    stats.user_counter("hits")
    stats.user_counter("7")
    snap = stats.snapshot()
    assert [snap.counter(name) for name in GLOBAL_COUNTERS] == [1, 1, 5, 1, 1, 1, 1, 1]
    assert snap.user_counters == (2, 1)
    assert snap.user_counter("hits") == 2
    assert set(COUNTER_NAMES) >= set(GLOBAL_COUNTERS) | set(FAILED_REASONS)


def test_unknown_names_are_errors() -> None:
    stats, _ = make()
    with pytest.raises(KeyError):
        stats.rtd("nosuch", 1)
    with pytest.raises(KeyError):
        stats.count("NoSuchCounter")
    with pytest.raises(KeyError):
        stats.user_counter("nosuch")


def test_rtd_samples_are_whole_milliseconds() -> None:
    stats, _ = make()
    for ms in (0.4, 9.99, 10.0, 25.7, -3.0):
        stats.rtd("1", ms)
    moments = stats.snapshot().rtd("1")
    assert moments == Moments(count=5, total=0 + 9 + 10 + 25 + 0, squares=81 + 100 + 625)


@pytest.mark.parametrize(
    ("ms", "bucket"),
    [(0, 0), (9.999, 0), (10, 1), (19, 1), (20, 2), (199.9, 7), (200, 8), (10**9, 8)],
)
def test_response_time_repartition_boundaries(ms: float, bucket: int) -> None:
    stats, _ = make()
    stats.rtd("1", ms)
    table = stats.snapshot().rtd_repartitions[0]
    assert len(table) == 9
    assert table.index(1) == bucket and sum(table) == 1


@pytest.mark.parametrize(("ms", "bucket"), [(9, 0), (10, 1), (49, 1), (50, 2), (9999, 6), (10000, 7)])
def test_call_length_repartition_boundaries(ms: float, bucket: int) -> None:
    stats, _ = make()
    stats.call_created(incoming=False)
    stats.call_ended(None, ms)
    table = stats.snapshot().call_length_repartition
    assert len(table) == 8
    assert table.index(1) == bucket


def test_layout_sorts_tables_and_skips_rtds_without_one() -> None:
    scen = replace(
        scenario("x", Mode.CLIENT, [send("INVITE", start_rtd="a"), recv(200, rtd="a"), recv(180, rtd="b")]),
        rtd_names=("a", "b"),
        repartition_rtds=("a",),
        response_time_repartition=(50, 10, 20),
        call_length_repartition=(),
    )
    layout = StatsLayout.for_scenario(scen)
    assert layout.rtd_bounds == ((10, 20, 50), None)
    assert layout.call_length_bounds is None
    assert layout.rtd_number("b") == 2
    stats, _ = make(scen)
    stats.rtd("a", 15)
    stats.rtd("b", 15)
    snap = stats.snapshot()
    assert snap.rtd_repartitions == ((0, 1, 0, 0), None)
    assert snap.call_length_repartition is None


def test_moments_mean_and_sample_stdev() -> None:
    samples = [7, 7, 7, 7, 12]
    moments = Moments(len(samples), sum(samples), sum(v * v for v in samples))
    assert moments.mean == 8.0
    assert moments.stdev == pytest.approx(math.sqrt(5.0))
    assert Moments().mean == 0.0 and Moments().stdev == 0.0
    assert Moments(1, 12, 144).stdev == 0.0
    assert Moments(2, 10, 4 * 4 + 6 * 6).stdev == pytest.approx(math.sqrt(2.0))
    assert moments.plus(Moments(1, 2, 4)).minus(Moments(1, 2, 4)) == moments


def test_elapsed_and_call_rate_as_sipp_computes_them() -> None:
    stats, clock = make()
    for _ in range(5):
        stats.call_created(incoming=False)
    clock.ms = 511.9
    snap = stats.snapshot()
    assert snap.elapsed_ms == 511
    assert snap.call_rate == float32(float32(5000.0) / float32(511.0))
    assert f"{snap.call_rate:.6g}" == "9.78474"
    clock.ms = 0.5
    assert stats.snapshot().call_rate == 0.0


def test_periodic_is_cumulative_minus_the_window_baseline() -> None:
    stats, clock = make()
    stats.call_created(incoming=False)
    stats.rtd("1", 30)
    stats.count("Warnings")
    clock.ms = 1000.0
    stats.end_period(Window.CSV)
    clock.ms = 1500.0
    stats.call_created(incoming=False)
    stats.rtd("1", 50)
    stats.call_ended(None, 1490)
    cumulative, periodic = stats.views(Window.CSV)
    assert cumulative.counter("OutgoingCall") == 2 and periodic.counter("OutgoingCall") == 1
    assert cumulative.rtd("1") == Moments(2, 80, 900 + 2500)
    assert periodic.rtd("1") == Moments(1, 50, 2500)
    assert periodic.rtd_repartitions[0][5] == 1 and sum(periodic.rtd_repartitions[0]) == 1
    assert periodic.counter("Warnings") == 0 and cumulative.counter("Warnings") == 1
    assert periodic.call_length == cumulative.call_length == Moments(1, 1490, 1490 * 1490)
    assert periodic.current_calls == cumulative.current_calls == 1
    assert (periodic.since_ms, periodic.taken_ms, periodic.elapsed_ms) == (1000.0, 1500.0, 500)
    assert (cumulative.since_ms, cumulative.elapsed_ms) == (0.0, 1500)
    assert periodic.since_wall == pytest.approx(1_000_001.0)
    assert cumulative.since_wall == pytest.approx(1_000_000.0)


def test_screen_and_csv_windows_are_independent() -> None:
    stats, clock = make()
    stats.call_created(incoming=True)
    clock.ms = 100.0
    stats.end_period(Window.SCREEN)
    stats.call_created(incoming=True)
    clock.ms = 200.0
    _, screen = stats.views(Window.SCREEN)
    _, csv = stats.views(Window.CSV)
    assert screen.counter("IncomingCall") == 1
    assert csv.counter("IncomingCall") == 2
    assert (screen.since_ms, csv.since_ms) == (100.0, 0.0)


def test_end_period_returns_the_period_and_starts_the_next() -> None:
    stats, clock = make()
    stats.call_created(incoming=False)
    clock.ms = 100.0
    cumulative, periodic = stats.end_period(Window.CSV)
    assert periodic.counter("OutgoingCall") == 1 == cumulative.counter("OutgoingCall")
    _, after = stats.views(Window.CSV)
    assert after.counter("OutgoingCall") == 0
    assert after.since_ms == 100.0 and after.since_wall == periodic.taken_wall


def test_reset_cumulative_keeps_the_windows_right() -> None:
    stats, clock = make()
    stats.call_created(incoming=False)
    clock.ms = 100.0
    stats.reset_cumulative()
    stats.call_created(incoming=False)
    clock.ms = 300.0
    cumulative, periodic = stats.views(Window.SCREEN)
    assert cumulative.counter("OutgoingCall") == 1
    assert cumulative.since_ms == 100.0 and cumulative.elapsed_ms == 200
    assert periodic.counter("OutgoingCall") == 2
    assert cumulative.steps == periodic.steps


def test_periods_over_merged_snapshots() -> None:
    first, first_clock = make()
    second, second_clock = make()
    periods = Periods(first.snapshot().merge(second.snapshot()))
    first.call_created(incoming=False)
    second.call_created(incoming=False)
    first_clock.ms = second_clock.ms = 50.0
    now = first.snapshot().merge(second.snapshot())
    assert periods.periodic(now, Window.CSV).counter("OutgoingCall") == 2
    periods.reset(now, Window.CSV)
    assert periods.periodic(now, Window.CSV).counter("OutgoingCall") == 0
    assert periods.cumulative(now).counter("OutgoingCall") == 2


def test_merged_stats_read_like_one_engine() -> None:
    start, _ = make()
    merged = MergedStats(start.snapshot(), 2)
    workers = [make() for _ in range(2)]
    for (stats, _), calls in zip(workers, (3, 2), strict=True):
        for _ in range(calls):
            stats.call_created(incoming=False)
            stats.call_ended(None, 10)
    for index, (stats, clock) in enumerate(workers):
        clock.ms = 1000.0
        merged.update(index, stats.snapshot())
    cumulative, periodic = merged.end_period(Window.CSV)
    assert cumulative.counter("SuccessfulCall") == periodic.counter("SuccessfulCall") == 5
    assert cumulative.elapsed_ms == 1000 and merged.layout == start.layout
    first, first_clock = workers[0]
    first.call_created(incoming=False)
    first_clock.ms = 1500.0
    merged.update(0, first.snapshot())  # the other worker has not reported again: its latest counts
    cumulative, periodic = merged.views(Window.CSV)
    assert (cumulative.counter("OutgoingCall"), periodic.counter("OutgoingCall")) == (6, 1)
    assert periodic.since_ms == 1000.0 and periodic.taken_ms == 1500.0
    assert merged.snapshot().current_calls == 1
    assert merged.views(Window.SCREEN)[1].counter("OutgoingCall") == 6


def test_merge_adds_counts_sums_tables_and_steps() -> None:
    a, a_clock = make(start_wall=100.0)
    b, b_clock = make(start_wall=99.0)
    a.call_created(incoming=False)
    a.call_created(incoming=False)
    b.call_created(incoming=False)
    a.rtd("1", 5)
    b.rtd("1", 15)
    a.call_ended("FailedTimeoutOnRecv", 40)
    b.call_ended(None, 60)
    a.steps[0].msgs += 2
    b.steps[0].msgs += 1
    a_clock.ms, b_clock.ms = 1000.0, 1200.0
    merged = a.snapshot().merge(b.snapshot())
    assert merged.counter("OutgoingCall") == 3
    assert merged.counter("FailedCall") == 1 and merged.counter("FailedTimeoutOnRecv") == 1
    assert merged.counter("SuccessfulCall") == 1
    assert merged.current_calls == 1
    assert merged.peak_calls == 3
    assert merged.rtd("1") == Moments(2, 20, 25 + 225)
    assert merged.rtd_repartitions[0][:2] == (1, 1)
    assert merged.call_length == Moments(2, 100, 1600 + 3600)
    assert merged.call_length_repartition[2] == 1 and merged.call_length_repartition[1] == 1
    assert merged.steps[0].msgs == 3
    assert (merged.since_ms, merged.taken_ms) == (0.0, 1200.0)
    assert merged.since_wall == 99.0
    assert merged.rtd("1").stdev == pytest.approx(math.sqrt(50.0))


def test_merge_refuses_different_scenarios() -> None:
    a, _ = make(uac())
    b, _ = make(uas())
    c, _ = make(replace(uac(), counters=("x",)))
    for other in (b, c):
        with pytest.raises(ValueError):
            a.snapshot().merge(other.snapshot())
