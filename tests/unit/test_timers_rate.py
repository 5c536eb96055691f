"""Unit tests of the timer wheel and the rate pacer, driven with literal times."""

from sipperf.engine.rate import RatePacer
from sipperf.engine.timers import TimerWheel


def test_wheel_fires_in_time_order_and_never_early():
    wheel = TimerWheel(0.0)
    wheel.schedule("b", 20.0)
    wheel.schedule("a", 10.4)
    wheel.schedule("c", 500.0)
    assert wheel.expire(10.0) == []
    assert wheel.expire(11.0) == ["a"]
    assert wheel.expire(400.0) == ["b"]
    assert wheel.pending == 1
    assert wheel.expire(10_000.0) == ["c"]
    assert wheel.pending == 0


def test_wheel_schedules_past_times_in_the_next_slot():
    wheel = TimerWheel(0.0)
    assert wheel.expire(50.0) == []
    wheel.schedule("late", 10.0)
    assert wheel.expire(50.0) == []
    assert wheel.expire(51.0) == ["late"]


def test_pacer_spreads_calls_evenly():
    pacer = RatePacer(10, 1000, 0.0)
    assert pacer.due(99.0) == 0
    assert pacer.due(100.0) == 1
    assert pacer.due(350.0) == 2
    assert pacer.next_due_ms() == 400.0
    assert pacer.due(1000.0) == 7


def test_pacer_rate_period_and_no_catch_up_after_a_change():
    pacer = RatePacer(7, 2000, 0.0)
    assert pacer.due(2000.0) == 7
    pacer.set_rate(1, 5000.0)
    assert pacer.due(6999.0) == 0 and pacer.due(7000.0) == 1
    pacer.set_rate(-3, 8000.0)
    assert pacer.due(100_000.0) == 0


def test_wheel_wakes_at_most_max_sched_loops_items_per_pass():
    """-max_sched_loops: the rest stays due, in order, for the next pass."""
    wheel = TimerWheel(0.0)
    for i in range(5):
        wheel.schedule(f"a{i}", 10.0)
    wheel.schedule("b", 12.0)
    wheel.schedule("later", 30.0)
    assert wheel.expire(20.0, limit=2) == ["a0", "a1"]
    assert wheel.next_due() <= 20.0
    assert wheel.expire(20.0, limit=2) == ["a2", "a3"]
    assert wheel.expire(20.0, limit=2) == ["a4", "b"]
    assert wheel.expire(20.0, limit=2) == []
    assert wheel.pending == 1
    assert wheel.expire(31.0) == ["later"]
