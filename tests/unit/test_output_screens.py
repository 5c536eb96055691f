"""Screens: byte-for-byte against SIPp 3.6.1's output (tests/golden and runs of the oracle)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from sipperf.output.runinfo import RunInfo, StatusLine
from sipperf.output.screens import (
    final_report,
    repartition_screen,
    scenario_screen,
    screen,
    screen_dump,
    statistics_screen,
)
from sipperf.scenario.model import Mode
from sipperf.stats import Stats, Window
from sipperf.timefmt import time_string
from tests.unit.scenarios_for_tests import (
    UAC_START_WALL,
    UAS_START_WALL,
    Clock,
    golden_uac_calls,
    golden_uas_calls,
    nop,
    pause,
    recv,
    scenario,
    send,
    uac,
    uas,
)

GOLDEN = Path(__file__).parent.parent / "golden"
TITLE = "------------------------------ Scenario Screen -------- [1-9]: Change Screen --\n"
TERMINATED = "------------------------------ Test Terminated --------------------------------\n"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    """The golden files were made in UTC; timestamps are local time."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def text(marked: str) -> str:
    """Expected screen text written with a `$` at the end of each line (as `cat -A` shows it)."""
    return marked.replace("$\n", "\n")


def test_final_report_equals_the_golden_uac_output() -> None:
    clock = Clock(UAC_START_WALL)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    golden_uac_calls(stats, clock)
    clock.ms = 513.372
    stats.end_period(Window.SCREEN)
    clock.ms = 513.446
    cumulative, periodic = stats.views(Window.SCREEN)
    info = RunInfo(local_port=5071, remote_ip="127.0.0.1", remote_port=5070, elapsed_ms=510, call_limit=30,
                   max_calls=5, paused=8, woken=11)  # fmt: skip
    report = final_report(uac(), cumulative, periodic, info)
    assert report == (GOLDEN / "uac_out.txt").read_text()


def test_final_report_equals_the_golden_uas_output() -> None:
    clock = Clock(UAS_START_WALL)
    stats = Stats(uas(), clock.now_ms, clock.wall)
    golden_uas_calls(stats, clock)
    clock.ms = 4824.222
    stats.end_period(Window.SCREEN)
    clock.ms = 4824.370
    cumulative, periodic = stats.views(Window.SCREEN)
    info = RunInfo(mode=Mode.SERVER, status=StatusLine.SERVER, local_port=5070, elapsed_ms=4820, max_calls=5,
                   paused=7, woken=20)  # fmt: skip
    report = final_report(uas(), cumulative, periodic, info)
    assert report == (GOLDEN / "uas_out.txt").read_text()


# A client scenario with two RTDs, counters, `lost`, nops and pauses (oracle run: -m 2 -r 10, SIGINT
# after 3 s, the second call's pause still running).
def rich_scenario():
    return scenario("exp1", Mode.CLIENT, [
        send("INVITE", is_invite=True, retrans=500, start_rtd="a", counter="inv"),
        recv(100, optional=True),
        recv(180, optional=True, rtd="a", start_rtd="b", counter="42"),
        recv(183, optional=True),
        recv(200, rtd="b"),
        send("ACK", lost=0.0001),
        pause(12345),
        nop(display="Hello display"),
        nop(),
        pause(1500, crlf=True),
        send("BYE", retrans=500),
        recv(200, crlf=True),
    ], rtd_names=("a", "b"), counters=("inv", "42"))  # fmt: skip


def rich_run() -> tuple[Stats, Clock]:
    clock = Clock(1795737701.361124)
    stats = Stats(rich_scenario(), clock.now_ms, clock.wall)
    for created in (2.0, 102.0):
        clock.ms = created
        stats.call_created(incoming=False)
        for index in (0, 2, 4, 5, 6):
            stats.steps[index].msgs += 1
        stats.rtd("a", 0.5)
        stats.rtd("b", 0.5)
        stats.user_counter("inv")
        stats.user_counter("42")
    clock.ms = 2012.137
    stats.end_period(Window.SCREEN)
    clock.ms = 3013.643
    return stats, clock


RICH_INFO = RunInfo(
    local_port=5073, remote_ip="127.0.0.1", remote_port=5072, elapsed_ms=3010, call_limit=415, max_calls=2,
    period_ms=1001, scheduler_ms=1, paused=5, woken=14, open_sockets=2,
)  # fmt: skip

RICH_SCENARIO_SCREEN = text("""\
------------------------------ Scenario Screen -------- [1-9]: Change Screen --$
  Call rate (length)   Port   Total-time  Total-calls  Remote-host$
  10.0(0 ms)/1.000s   5073       3.01 s            2  127.0.0.1:5072(UDP)$
$
  Call limit 2 hit, 10.0 s period         1 ms scheduler resolution            $
  2 calls (limit 415)                     Peak was 2 calls, after 0 s$
  0 Running, 5 Paused, 14 Woken up$
  0 dead call msg (discarded)             0 out-of-call msg (discarded)$
  2 open sockets                          0/0/0 UDP errors (send/recv/cong)$
  0 Total RTP pckts sent                  0.000 last period RTP rate (kB/s)$
$
                                 Messages  Retrans   Timeout   Unexp.    Lost$
      INVITE ---------->  B-RTD1 2         0         0                         $
         100 <----------         0         0         0         0               $
         180 <----------  B-RTD2 2         0         0         0               $
         183 <----------         0         0         0         0               $
         200 <----------  E-RTD2 2         0         0         0               $
         ACK ---------->         2         0                                   $
       Pause [    12.3s]         2                             0        $
 Hello display$
              [ NOP ]              $
       Pause [   1500ms]         0                             0        $
$
         BYE ---------->         0         0         0                         $
         200 <----------         0         0         0         0               $
$
------------------------------ Test Terminated --------------------------------$
""")

RICH_STATISTICS_SCREEN = text("""\
----------------------------- Statistics Screen ------- [1-9]: Change Screen --$
  Start Time             | 2026-11-27\t00:01:41.361124\t1795737701.361124         $
  Last Reset Time        | 2026-11-27\t00:01:43.373261\t1795737703.373261         $
  Current Time           | 2026-11-27\t00:01:44.374767\t1795737704.374767         $
-------------------------+---------------------------+--------------------------$
  Counter Name           | Periodic value            | Cumulative value$
-------------------------+---------------------------+--------------------------$
  Elapsed Time           | 00:00:01:001000           | 00:00:01:001000          $
  Call Rate              |    0.000 cps              |    0.664 cps             $
-------------------------+---------------------------+--------------------------$
  Incoming calls created |        0                  |        0                 $
  Outgoing calls created |        0                  |        2                 $
  Total Calls created    |                           |        2                 $
  Current Calls          |        2                  |                          $
-------------------------+---------------------------+--------------------------$
  Counter inv            |        0                  |        2                 $
  Counter 42             |        0                  |        2                 $
-------------------------+---------------------------+--------------------------$
  Successful call        |        0                  |        0                 $
  Failed call            |        0                  |        0                 $
-------------------------+---------------------------+--------------------------$
  Response Time a        | 00:00:00:000000           | 00:00:00:000000          $
  Response Time b        | 00:00:00:000000           | 00:00:00:000000          $
  Call Length            | 00:00:00:000000           | 00:00:00:000000          $
------------------------------ Test Terminated --------------------------------$
""")


def test_rtd_markers_counters_lost_header_nops_and_pauses() -> None:
    stats, _ = rich_run()
    cumulative, periodic = stats.views(Window.SCREEN)
    report = final_report(rich_scenario(), cumulative, periodic, RICH_INFO)
    assert report == RICH_SCENARIO_SCREEN + RICH_STATISTICS_SCREEN


def test_step_index_is_shown_on_message_rows_only() -> None:
    stats, _ = rich_run()
    info = replace(RICH_INFO, show_index=True, status=StatusLine.TERMINATED)
    lines = scenario_screen(rich_scenario(), stats.snapshot(), info).splitlines()
    expected = text("""\
0 :      INVITE ---------->  B-RTD1 2         0         0                      $
1 :         100 <----------         0         0         0         0            $
2 :         180 <----------  B-RTD2 2         0         0         0            $
3 :         183 <----------         0         0         0         0            $
4 :         200 <----------  E-RTD2 2         0         0         0            $
5 :         ACK ---------->         2         0                                $
       Pause [    12.3s]         2                             0        $
 Hello display$
              [ NOP ]              $
       Pause [   1500ms]         0                             0        $
$
10:         BYE ---------->         0         0         0                      $
11:         200 <----------         0         0         0         0            $
""")
    assert lines[12:25] == expected.splitlines()


def test_lost_column_and_the_new_calls_line() -> None:
    """Oracle run: uac -m 100 -r 10 -lost 30, SIGINT after 2.5 s."""
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    for created in range(24):
        clock.ms = 1000.0 + created
        stats.call_created(incoming=False)
        if created >= 13:
            stats.call_ended("", 1)
    stats.call_ended("", 1)  # 12 calls left, after a peak of 14
    for index, msgs, retrans, lost in ((0, 24, 12, 12), (2, 13, 0, 9), (4, 17, 0, 9), (5, 17, 0, 6),
                                       (6, 17, 0, 0), (7, 17, 9, 8), (8, 12, 0, 6)):  # fmt: skip
        counters = stats.steps[index]
        counters.msgs, counters.retrans, counters.lost = msgs, retrans, lost
    info = RunInfo(local_port=5081, remote_ip="127.0.0.1", remote_port=5080, elapsed_ms=2500, call_limit=30,
                   max_calls=100, period_calls=4, period_ms=488, scheduler_ms=1, paused=27, woken=70,
                   open_sockets=2, lose_packets=True, status=StatusLine.TERMINATED)  # fmt: skip
    assert scenario_screen(uac(), stats.snapshot(), info) == text("""\
------------------------------ Scenario Screen -------- [1-9]: Change Screen --$
  Call rate (length)   Port   Total-time  Total-calls  Remote-host$
  10.0(0 ms)/1.000s   5081       2.50 s           24  127.0.0.1:5080(UDP)$
$
  4 new calls during 0.488 s period       1 ms scheduler resolution            $
  12 calls (limit 30)                     Peak was 14 calls, after 1 s$
  0 Running, 27 Paused, 70 Woken up$
  0 dead call msg (discarded)             0 out-of-call msg (discarded)$
  2 open sockets                          0/0/0 UDP errors (send/recv/cong)$
  0 Total RTP pckts sent                  0.000 last period RTP rate (kB/s)$
$
                                 Messages  Retrans   Timeout   Unexp.    Lost$
      INVITE ---------->         24        12        0                   12    $
         100 <----------         0         0         0         0               $
         180 <----------         13        0         0         0         9     $
         183 <----------         0         0         0         0               $
         200 <----------  E-RTD1 17        0         0         0         9     $
         ACK ---------->         17        0                             6     $
       Pause [      0ms]         17                            0        $
         BYE ---------->         17        9         0                   8     $
         200 <----------         12        0         0         0         6     $
$
------------------------------ Test Terminated --------------------------------$
""")


def test_hidden_steps() -> None:
    scen = scenario("h", Mode.CLIENT, [send("INVITE"), recv(200, hide=True), send("ACK")])
    clock = Clock(0.0)
    stats = Stats(scen, clock.now_ms, clock.wall)
    lines = scenario_screen(scen, stats.snapshot(), RunInfo()).splitlines()
    assert lines[12:] == [
        "      INVITE ---------->         0         0                                   ",
        "         ACK ---------->         0         0                                   ",
        StatusLine.CLIENT.value,
    ]
    shown = scenario_screen(scen, stats.snapshot(), RunInfo(show_hidden=True)).splitlines()
    assert shown[13] == "         200 <----------         0         0         0         0               "


def test_users_and_server_headers() -> None:
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    stats.call_created(incoming=False)
    info = RunInfo(users=3, local_port=5078, remote_ip="127.0.0.1", remote_port=5077)
    lines = scenario_screen(uac(), stats.snapshot(), info).splitlines()
    assert lines[1:3] == [
        "  Users (length)   Port   Total-time  Total-calls  Remote-host",
        "  3 (0 ms)   5078       0.00 s            1  127.0.0.1:5077(UDP)",
    ]
    server = RunInfo(mode=Mode.SERVER, status=StatusLine.SERVER, local_port=5070, elapsed_ms=61234)
    lines = scenario_screen(uas(), stats.snapshot(), server).splitlines()
    assert lines[1:3] == [
        "  Port   Total-time  Total-calls  Transport",
        "  5070      61.23 s            1  UDP",
    ]
    assert lines[-1] == StatusLine.SERVER.value


def test_last_error_line_while_running_only() -> None:
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    long_error = "Aborting call on unexpected message for Call-Id '1-2@127.0.0.1': while expecting '200'"
    info = RunInfo(status=StatusLine.QUITTING, last_error=long_error)
    lines = scenario_screen(uac(), stats.snapshot(), info).splitlines()
    assert lines[-2:] == [f"Last Error: {long_error[:60]}...", StatusLine.QUITTING.value]
    short = scenario_screen(uac(), stats.snapshot(), replace(info, last_error="Short")).splitlines()
    assert short[-2] == "Last Error: Short"
    cumulative, periodic = stats.views(Window.SCREEN)
    assert "Last Error" not in final_report(uac(), cumulative, periodic, info)


def test_repartition_screen() -> None:
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    for _ in range(3):
        stats.call_created(incoming=False)
        stats.rtd("1", 0)
        stats.call_ended(None, 3)
    info = RunInfo(status=StatusLine.QUITTING)
    assert repartition_screen(stats.snapshot(), info) == text("""\
---------------------------- Repartition Screen ------- [1-9]: Change Screen --$
  Average Response Time Repartition 1                                          $
             0 ms <= n <         10 ms :          3$
            10 ms <= n <         20 ms :          0$
            20 ms <= n <         30 ms :          0$
            30 ms <= n <         40 ms :          0$
            40 ms <= n <         50 ms :          0$
            50 ms <= n <        100 ms :          0$
           100 ms <= n <        150 ms :          0$
           150 ms <= n <        200 ms :          0$
                   n >=        200 ms :          0$
  Average Call Length Repartition                                              $
             0 ms <= n <         10 ms :          3$
            10 ms <= n <         50 ms :          0$
            50 ms <= n <        100 ms :          0$
           100 ms <= n <        500 ms :          0$
           500 ms <= n <       1000 ms :          0$
          1000 ms <= n <       5000 ms :          0$
          5000 ms <= n <      10000 ms :          0$
                   n >=      10000 ms :          0$
------- Waiting for active calls to end. Press [q] again to force exit. -------$
""")


def test_repartition_screens_without_tables() -> None:
    scen = replace(uac(), response_time_repartition=(), call_length_repartition=(), repartition_rtds=())
    clock = Clock(0.0)
    stats = Stats(scen, clock.now_ms, clock.wall)
    info = RunInfo(status=StatusLine.QUITTING)
    no_table = "    <No repartion defined>" + " " * 53
    assert repartition_screen(stats.snapshot(), info).splitlines()[1:] == [
        "  Average Response Time Repartition 1" + " " * 42,
        no_table,
        "  Average Call Length Repartition" + " " * 46,
        no_table,
        StatusLine.QUITTING.value,
    ]
    second = repartition_screen(stats.snapshot(), info, which=2).splitlines()
    assert second == [
        "--------------------------- Repartition 2 Screen ------ [1-9]: Change Screen --",
        no_table,
        StatusLine.QUITTING.value,
    ]


def test_screen_keys_final_report_and_dump() -> None:
    stats, _ = rich_run()
    scen = rich_scenario()
    cumulative, periodic = stats.views(Window.SCREEN)
    info = replace(RICH_INFO, status=StatusLine.CLIENT)
    assert screen(1, scen, cumulative, periodic, info) == scenario_screen(scen, cumulative, info)
    assert screen(4, scen, cumulative, periodic, info) == scenario_screen(scen, cumulative, info)
    assert screen(2, scen, cumulative, periodic, info) == statistics_screen(cumulative, periodic, info)
    assert screen(3, scen, cumulative, periodic, info) == repartition_screen(cumulative, info, 1)
    assert screen(6, scen, cumulative, periodic, info) == repartition_screen(cumulative, info, 2)
    assert screen(6, scen, cumulative, periodic, info).startswith("--------------------------- Repartition 2")
    assert final_report(scen, cumulative, periodic, info, displayed=2) == RICH_STATISTICS_SCREEN
    assert final_report(scen, cumulative, periodic, info, displayed=3).count("Statistics Screen") == 1
    dump = screen_dump(scen, cumulative, periodic, info)
    assert dump == "".join([
        scenario_screen(scen, cumulative, info),
        statistics_screen(cumulative, periodic, info),
        repartition_screen(cumulative, info, 1),
        repartition_screen(cumulative, info, 2),
    ])  # fmt: skip


def test_server_pause_rows_and_commands() -> None:
    pauses = [pause(65000), pause(7200000), pause(12), pause(1234)]
    scen = scenario("s", Mode.SERVER, [recv("INVITE"), *pauses])
    clock = Clock(0.0)
    stats = Stats(scen, clock.now_ms, clock.wall)
    lines = scenario_screen(scen, stats.snapshot(), RunInfo(mode=Mode.SERVER)).splitlines()
    assert lines[13:17] == [
        "  [     1:05] Pause              0                             0        ",
        "  [  2:00:00] Pause              0                             0        ",
        "  [     12ms] Pause              0                             0        ",
        "  [   1234ms] Pause              0                             0        ",
    ]


@pytest.mark.parametrize(
    ("ms", "shown"),
    [(0, "0ms"), (4000, "4000ms"), (4000.00001, "4000ms"), (9999.99995, "10000.0ms"), (12.5, "12.50ms"),
     (1234.5, "1234.5ms"), (10000, "10.0s"), (12345, "12.3s"), (59999, "60.0s"), (60000, "1:00"),
     (65000, "1:05"), (3599999, "59:59"), (3600000, "1:00:00"), (7265000, "2:01:05")],
)  # fmt: skip
def test_time_string(ms: float, shown: str) -> None:
    assert time_string(ms) == shown
