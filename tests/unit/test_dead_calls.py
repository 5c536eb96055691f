"""The dead-call table: SIPp's -deadcall_wait, each late message starting the wait again."""

from __future__ import annotations

from sipperf.engine.dead_calls import DeadCalls


def test_a_call_is_dead_for_the_wait_then_forgotten_by_the_sweep():
    dead = DeadCalls(1000)
    dead.add("a", None, 100.0)
    dead.add("b", 3, 200.0)
    assert dead.touch("x", 150.0) is None
    assert dead.touch("b", 250.0) == "failed at index 3"
    dead.sweep(1100.0)  # a's time is up (100 + 1000); b's was started again at 250
    assert len(dead) == 1
    assert dead.touch("a", 1100.0) is None
    assert dead.touch("b", 1200.0) == "failed at index 3"
    dead.sweep(2200.0)
    assert len(dead) == 0


def test_a_late_message_starts_the_wait_again():
    dead = DeadCalls(1000)
    dead.add("a", None, 0.0)
    assert dead.touch("a", 900.0) == "successful"
    assert dead.touch("a", 1800.0) == "successful"  # alive until 1900 now
    assert dead.touch("a", 2800.0) is None


def test_an_expired_entry_is_no_dead_call_before_the_sweep_forgets_it():
    dead = DeadCalls(1000)
    dead.add("a", None, 0.0)
    assert dead.touch("a", 1000.0) is None
    assert len(dead) == 1


def test_what_queued_behind_a_restarted_entry_goes_when_that_entry_expires():
    dead = DeadCalls(1000)
    dead.add("a", None, 0.0)
    dead.add("b", None, 10.0)
    dead.touch("a", 500.0)  # a now expires at 1500
    dead.sweep(1200.0)
    assert dead.touch("b", 1200.0) is None  # exact meanwhile
    dead.sweep(1600.0)
    assert len(dead) == 0


def test_a_call_id_that_ends_again_takes_its_new_outcome():
    dead = DeadCalls(1000)
    dead.add("a", 2, 0.0)
    dead.add("a", None, 100.0)
    dead.sweep(1050.0)  # the first end's place in the queue: "a" lives on until 1100
    assert dead.touch("a", 1060.0) == "successful"
    dead.sweep(5000.0)
    assert len(dead) == 0


def test_no_wait_keeps_nothing():
    dead = DeadCalls(0)
    dead.add("a", None, 0.0)
    assert len(dead) == 0 and dead.touch("a", 0.0) is None
