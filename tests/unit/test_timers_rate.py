"""Unit tests of the timer wheel and the rate pacer, driven with literal times."""

import math

import pytest

from sipperf.engine.engine import EngineSettings
from sipperf.engine.event_loop import EventLoop
from sipperf.engine.rate import RatePacer
from sipperf.engine.timers import WHEEL_SLOTS, TimerWheel
from sipperf.scenario.loader import load_builtin
from tests.unit.memory_net import MemoryNet


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


def test_wheel_fires_a_whole_millisecond_at_it_and_a_fraction_at_the_next():
    wheel = TimerWheel(0.0)
    wheel.schedule("whole", 20.0)
    wheel.schedule("fraction", 20.001)
    assert wheel.expire(19.999) == []
    assert wheel.expire(20.0) == ["whole"]
    assert wheel.expire(20.5) == []
    assert wheel.expire(21.0) == ["fraction"]


def test_wheel_schedules_past_times_in_the_next_slot():
    wheel = TimerWheel(0.0)
    assert wheel.expire(50.0) == []
    wheel.schedule("late", 10.0)
    assert wheel.expire(50.0) == []
    assert wheel.expire(51.0) == ["late"]


def test_wheel_keeps_far_timers_beyond_its_reach_in_order():
    """Times further ahead than the wheel's slots join it as it turns, in order with near ones."""
    wheel = TimerWheel(0.0)
    far = WHEEL_SLOTS * 2.5  # 20480 ms
    wheel.schedule("far", far)
    wheel.schedule("farther", far + 0.5)
    wheel.schedule("near", 5.0)
    assert wheel.next_due() == 5.0
    assert wheel.expire(5.0) == ["near"]
    assert wheel.next_due() == far
    expired = []
    for now in range(1000, 23000, 1000):  # the engine looks at least once a second
        expired += [(now, item) for item in wheel.expire(float(now))]
        wheel.schedule(str(now + 3000), now + 3000.0)
    assert expired == [(t, str(t)) for t in range(4000, 21000, 1000)] + [
        (21000, "far"), (21000, "farther"), (21000, "21000"), (22000, "22000")
    ]  # fmt: skip
    assert wheel.pending == 3 and wheel.next_due() == 23000


def test_wheel_after_a_long_sleep_and_when_empty():
    wheel = TimerWheel(0.0)
    assert wheel.next_due() == math.inf
    wheel.schedule("a", 3.0)
    assert wheel.expire(WHEEL_SLOTS * 3.0) == ["a"]  # asleep for longer than the wheel turns
    assert wheel.next_due() == math.inf
    wheel.schedule("b", WHEEL_SLOTS * 3.0 + 7)
    wheel.schedule("c", WHEEL_SLOTS * 5.0)
    assert wheel.next_due() == WHEEL_SLOTS * 3.0 + 7
    assert wheel.expire(WHEEL_SLOTS * 6.0) == ["b", "c"]
    assert wheel.pending == 0


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


@pytest.mark.parametrize(
    ("resol", "now", "wanted", "due"),
    [(1, 10.3, 10.5, 14.0), (1, 10.9, 10.9, 14.0), (0, 10.3, 10.5, 14.0), (3, 10.3, 10.5, 14.0),
     (4, 10.3, 10.5, 15.0), (10, 10.3, 10.5, 21.0), (1, 10.3, 50.0, 50.0)],
)  # fmt: skip
def test_timer_passes_follow_sipps_millisecond_clock(resol, now, wanted, due) -> None:
    """A timer pass runs once the integer ms clock has moved on by more than -timer_resol, but at
    least 3 ms: SIPp's passes come every 3.75-4 ms for any -timer_resol up to 3."""
    net = MemoryNet()
    engine = net.add(load_builtin("uac"), 5061, 5060, EngineSettings(timer_resol_ms=resol))
    loop = EventLoop()
    try:
        engine._loop = loop
        engine._done = loop.create_future()
        engine._arm(now, wanted)
        assert engine._armed_for == due
        assert engine._handle.when() - loop.time() == pytest.approx((due - now) / 1000, abs=5e-4)
    finally:
        loop.close()
