"""The statistics CSV against SIPp 3.6.1's -trace_stat files (tests/golden/*_stat.csv)."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

import pytest

from sipperf.output.stat_csv import (
    LOAD_COLUMNS,
    StatCsv,
    counter_column,
    cpp_float,
    header_fields,
    load_fields,
    row_fields,
)
from sipperf.scenario.model import Mode
from sipperf.stats import Stats, StatsLayout, Window
from sipperf.stats.snapshot import float32
from tests.unit.scenarios_for_tests import (
    UAC_START_WALL,
    UAS_START_WALL,
    Clock,
    golden_uac_calls,
    golden_uas_calls,
    recv,
    scenario,
    send,
    uac,
    uas,
)

GOLDEN = Path(__file__).parent.parent / "golden"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}$")
LAST_RESET = 1  # column index of LastResetTime


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def read_rows(path: Path) -> list[list[str]]:
    lines = path.read_text().split("\n")
    assert lines[-1] == ""
    assert all(line.endswith(";") for line in lines[:-1])
    return [line[:-1].split(";") for line in lines[:-1]]


@pytest.mark.parametrize(
    ("name", "scen", "calls", "start_wall", "row_times"),
    [
        ("uac", uac, golden_uac_calls, UAC_START_WALL, (1.818, 513.372, 513.455)),
        ("uas", uas, golden_uas_calls, UAS_START_WALL, (1.420, 4824.222, 4824.381)),
    ],
)
def test_rows_equal_the_golden_file(tmp_path: Path, name, scen, calls, start_wall, row_times) -> None:
    """The golden runs replayed: every field equal, except LastResetTime, which here is the time of the
    previous row (SIPp restarts the period a few microseconds after writing it)."""
    clock = Clock(start_wall)
    stats = Stats(scen(), clock.now_ms, clock.wall, cpu_ms=lambda: 0.0)
    path = tmp_path / f"{name}_1234_.csv"
    csv = StatCsv(str(path), stats.layout)
    clock.ms = row_times[0]
    csv.dump(stats, 10.0)
    calls(stats, clock)
    for at in row_times[1:]:
        clock.ms = at
        csv.dump(stats, 10.0)
    csv.close()
    got, expected = read_rows(path), read_rows(GOLDEN / f"{name}_stat.csv")
    zero_load = ["0"] * len(LOAD_COLUMNS)
    assert [row[-len(LOAD_COLUMNS) :] for row in got] == [list(LOAD_COLUMNS), zero_load, zero_load, zero_load]
    got = [row[: -len(LOAD_COLUMNS)] for row in got]  # SIPp's columns come first, unchanged
    assert got[0] == expected[0]
    assert len(got) == len(expected) == 4
    previous_row_time = [got[1][LAST_RESET], got[1][2], got[2][2]]
    for row, golden, last_reset in zip(got[1:], expected[1:], previous_row_time, strict=True):
        assert len(row) == len(golden)
        assert row[LAST_RESET] == last_reset
        assert row[:LAST_RESET] + row[LAST_RESET + 1 :] == golden[:LAST_RESET] + golden[LAST_RESET + 1 :]


def test_header_equals_the_golden_header() -> None:
    golden = (GOLDEN / "uac_stat.csv").read_text().split("\n")[0]
    fields = header_fields(StatsLayout.for_scenario(uac()))
    assert ";".join(fields[: -len(LOAD_COLUMNS)]) + ";" == golden
    assert fields[-len(LOAD_COLUMNS) :] == list(LOAD_COLUMNS)
    assert len(fields) == 68 + 4 + 4 + 10 + 9 + len(LOAD_COLUMNS)


def two_rtds_and_counters():
    return scenario("exp1", Mode.CLIENT, [
        send("INVITE", start_rtd="a", counter="inv"),
        recv(180, rtd="a", start_rtd="b", counter="42"),
        recv(200, rtd="b"),
    ], rtd_names=("a", "b"), counters=("inv", "42"))  # fmt: skip


def test_header_with_two_rtds_and_counters() -> None:
    """As the oracle writes it for a scenario with RTDs a and b and counters inv and 42."""
    fields = header_fields(StatsLayout.for_scenario(two_rtds_and_counters()))
    tail = fields[fields.index("WatchdogMinor(C)") + 1 :]
    rtd_table = ["_<10", "_<20", "_<30", "_<40", "_<50", "_<100", "_<150", "_<200", "_>=200"]
    assert tail == [
        "ResponseTimea(P)", "ResponseTimea(C)", "ResponseTimeaStDev(P)", "ResponseTimeaStDev(C)",
        "ResponseTimeb(P)", "ResponseTimeb(C)", "ResponseTimebStDev(P)", "ResponseTimebStDev(C)",
        "CallLength(P)", "CallLength(C)", "CallLengthStDev(P)", "CallLengthStDev(C)",
        "inv(P)", "inv(C)", "GenericCounter42(P)", "GenericCounter42(C)",
        "ResponseTimeRepartitiona", *(f"ResponseTimeRepartitiona{b}" for b in rtd_table),
        "ResponseTimeRepartitionb", *(f"ResponseTimeRepartitionb{b}" for b in rtd_table),
        "CallLengthRepartition", "CallLengthRepartition_<10", "CallLengthRepartition_<50",
        "CallLengthRepartition_<100", "CallLengthRepartition_<500", "CallLengthRepartition_<1000",
        "CallLengthRepartition_<5000", "CallLengthRepartition_<10000", "CallLengthRepartition_>=10000",
        *LOAD_COLUMNS,
    ]  # fmt: skip


def test_no_repartition_columns_without_tables() -> None:
    scen = replace(uac(), response_time_repartition=(), call_length_repartition=(), repartition_rtds=())
    fields = header_fields(StatsLayout.for_scenario(scen))
    assert fields[-1 - len(LOAD_COLUMNS)] == "CallLengthStDev(C)"
    clock = Clock(0.0)
    stats = Stats(scen, clock.now_ms, clock.wall)
    assert len(row_fields(*stats.views(Window.CSV), 10.0)) == len(fields)


def test_row_formats() -> None:
    clock = Clock(1795737185.5)
    stats = Stats(two_rtds_and_counters(), clock.now_ms, clock.wall)
    clock.ms = 1000.0
    stats.end_period(Window.CSV)
    for i in range(3):
        stats.call_created(incoming=False)
        stats.rtd("a", 3723004 + i)  # 1 h 2 min 3.004 s
        stats.rtd("b", 12)
        stats.user_counter("42")
    stats.call_ended("FailedRegexpDoesntMatch", 25)
    stats.count("Retransmissions", 2)
    clock.ms = 3000.7
    cumulative, periodic = stats.views(Window.CSV)
    fields = row_fields(cumulative, periodic, 10.0)
    header = header_fields(stats.layout)
    assert len(fields) == len(header)
    row = dict(zip(header, fields, strict=True))
    for name in ("StartTime", "LastResetTime", "CurrentTime"):
        assert TIMESTAMP.match(row[name])
    assert row["LastResetTime"] == "2026-11-26\t23:53:06.500000\t1795737186.500000"
    assert (row["ElapsedTime(P)"], row["ElapsedTime(C)"]) == ("00:00:02", "00:00:03")
    assert row["TargetRate"] == "10"
    assert (row["CallRate(P)"], row["CallRate(C)"]) == ("1.5", "1")
    assert (row["OutgoingCall(P)"], row["OutgoingCall(C)"], row["TotalCallCreated"]) == ("3", "3", "3")
    assert (row["CurrentCall"], row["FailedCall(C)"], row["FailedRegexpDoesntMatch(P)"]) == ("2", "1", "1")
    assert (row["Retransmissions(P)"], row["Retransmissions(C)"]) == ("2", "2")
    assert row["ResponseTimea(P)"] == "01:02:03:005000"
    assert row["ResponseTimeaStDev(C)"] == "00:00:00:001000"
    assert row["ResponseTimeb(C)"] == "00:00:00:012000"
    assert row["CallLength(P)"] == "00:00:00:025000"
    assert (row["inv(C)"], row["GenericCounter42(P)"], row["GenericCounter42(C)"]) == ("0", "3", "3")
    assert row["ResponseTimeRepartitiona"] == "" and row["ResponseTimeRepartitiona_>=200"] == "3"
    assert row["ResponseTimeRepartitionb_<20"] == "3"
    assert row["CallLengthRepartition"] == "" and row["CallLengthRepartition_<50"] == "1"


def test_periodic_rtd_uses_the_periodic_tables() -> None:
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    stats.rtd("1", 5)
    stats.end_period(Window.CSV)
    stats.rtd("1", 15)
    views = stats.views(Window.CSV)
    header = header_fields(stats.layout)
    first_two = ["ResponseTimeRepartition1_<10", "ResponseTimeRepartition1_<20"]
    cumulative_tables = dict(zip(header, row_fields(*views, 10.0), strict=True))
    periodic_tables = dict(zip(header, row_fields(*views, 10.0, periodic_rtd=True), strict=True))
    assert [cumulative_tables[name] for name in first_two] == ["1", "1"]
    assert [periodic_tables[name] for name in first_two] == ["0", "1"]


def test_delimiter_users_target_and_final_rows(tmp_path: Path) -> None:
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    path = tmp_path / "stats.csv"
    csv = StatCsv(str(path), stats.layout, delimiter=",")
    csv.dump(stats, 10.0)
    stats.call_created(incoming=False)
    clock.ms = 2000.0
    csv.finish(stats, 25)
    lines = path.read_text().splitlines()
    assert len(lines) == 4
    assert all(line.endswith(",") and ";" not in line for line in lines)
    last, final = (line.split(",") for line in lines[2:])
    assert last[5] == final[5] == "25"
    assert (last[10], last[11], final[10], final[11]) == ("1", "1", "0", "1")  # OutgoingCall (P), (C)
    with pytest.raises(ValueError):
        csv.write_row(*stats.views(Window.CSV), 10.0)


def test_rows_are_flushed_as_written(tmp_path: Path) -> None:
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    path = tmp_path / "stats.csv"
    csv = StatCsv(str(path), stats.layout)
    csv.dump(stats, 10.0)
    assert len(path.read_text().splitlines()) == 2
    csv.close()


def test_write_failure_is_reported() -> None:
    clock = Clock(0.0)
    stats = Stats(uac(), clock.now_ms, clock.wall)
    with pytest.raises(OSError):
        StatCsv("/dev/full", stats.layout)
    with pytest.raises(OSError):
        StatCsv("/nonexistent-dir/stats.csv", stats.layout)


@pytest.mark.parametrize(
    ("value", "text"),
    [(10.0, "10"), (0.0, "0"), (float32(5000 / 511), "9.78474"), (float32(3000 / 311), "9.6463"),
     (float32(2000 / 2012), "0.994036"), (0.5, "0.5"), (1234567.0, "1.23457e+06")],
)  # fmt: skip
def test_cpp_float(value: float, text: str) -> None:
    assert cpp_float(value) == text


def test_counter_columns() -> None:
    assert counter_column("inv") == "inv"
    assert counter_column("42") == "GenericCounter42"
    assert counter_column("123456") == "GenericCounter12345"
    assert counter_column("4a") == "4a"


def test_load_columns_say_when_sipperf_itself_was_overloaded() -> None:
    """CPU share of a core, mean and maximum scheduler lag, and the overload flag, per period."""
    clock = Clock(0.0)
    cpu = [0.0]
    stats = Stats(uac(), clock.now_ms, clock.wall, cpu_ms=lambda: cpu[0])
    csv_window = Window.CSV
    stats.end_period(csv_window)
    clock.ms, cpu[0] = 1000.0, 400.0
    for lag in (0.2, 0.4, 3.0):
        stats.scheduler_pass(lag)
    assert load_fields(stats.end_period(csv_window)[1]) == ["40", "1.2", "5", "0", "0"]
    clock.ms, cpu[0] = 2000.0, 1390.0  # 99% of a core: cannot keep up
    assert load_fields(stats.end_period(csv_window)[1]) == ["99", "0", "0", "0", "1"]
    clock.ms, cpu[0] = 3000.0, 1400.0
    stats.scheduler_pass(150.0)  # a timer pass 150 ms late
    assert load_fields(stats.end_period(csv_window)[1]) == ["1", "150", "200", "0", "1"]
    clock.ms, cpu[0] = 4000.0, 1410.0
    stats.receive_drops(7)  # the kernel dropped datagrams sipperf did not read in time
    assert load_fields(stats.end_period(csv_window)[1]) == ["1", "0", "0", "7", "1"]
    clock.ms, cpu[0] = 4050.0, 1460.0  # too short a period to tell the CPU share
    assert load_fields(stats.end_period(csv_window)[1]) == ["0", "0", "0", "0", "0"]
