"""Unit tests of bench/run.py's pure helpers (no process is started)."""

import importlib.util
import shlex
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


bench = load_bench()

HEADER = (
    "StartTime;CallRate(C);IncomingCall(C);OutgoingCall(C);SuccessfulCall(C);FailedCall(C);Retransmissions(C);"
    "Overloaded(P);"
)


def write_stats(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def role(successful: int, **kwargs) -> "bench.RoleResult":
    kwargs.setdefault("achieved_rate", 10.0)
    return bench.RoleResult(tool="sipp", exit_code=0, successful=successful, **kwargs)


def run(calls: int = 10, uas_ok: int = 10, uac_ok: int = 10, cpu_s: float = 0.001) -> "bench.RunResult":
    return bench.RunResult(rep=1, calls=calls, rate=10.0, uas=role(uas_ok, cpu_s=cpu_s),
                           uac=role(uac_ok, cpu_s=cpu_s))  # fmt: skip


def test_read_stats_takes_the_last_row_and_counts_overloaded_periods(tmp_path):
    rows = ("t0;0;0;0;0;0;0;0;", "t1;99.5;0;50;49;0;0;1;", "t2;97.2;0;100;98;2;7;0;")
    path = write_stats(tmp_path / "uac_1_.csv", *rows)
    rows = bench.read_stats(path)
    assert rows[-1]["SuccessfulCall(C)"] == "98"
    result = bench.RoleResult(tool="sipp")
    bench.apply_stats(result, "uac", rows)
    assert (result.created, result.successful, result.failed, result.retransmissions) == (100, 98, 2, 7)
    assert (result.overloaded_periods, result.achieved_rate) == (1, 97.2)


def test_read_stats_without_data_row(tmp_path):
    with pytest.raises(ValueError):
        bench.read_stats(write_stats(tmp_path / "uas_1_.csv"))


def test_find_stat_file_prefers_exact_pid(tmp_path):
    write_stats(tmp_path / "uas_7_.csv")
    assert bench.find_stat_file(tmp_path, "uas", 9) == tmp_path / "uas_7_.csv"
    write_stats(tmp_path / "uas_9_.csv")
    assert bench.find_stat_file(tmp_path, "uas", 9) == tmp_path / "uas_9_.csv"
    assert bench.find_stat_file(tmp_path, "uac", 9) is None


def test_role_problem_lists_what_went_wrong():
    assert role(10).problem(10, 10.0, "uac") == ""
    assert role(8, failed=2).problem(10, 10.0, "uas") == "2 failed calls, 8/10 calls successful"
    crashed = bench.RoleResult(tool="sipperf", exit_code=1, error="unreadable -trace_stat", stderr="boom")
    assert crashed.problem(10, 10.0, "uas") == "unreadable -trace_stat, exit code 1, stderr: boom"


def test_a_late_uac_or_an_overloaded_sipperf_is_not_clean():
    """The rate was not sustained when the UAC created its calls slower than asked, or when
    sipperf said it could not keep up, even if every call succeeded."""
    assert role(10, achieved_rate=9.6).problem(10, 10.0, "uac") == ""
    assert role(10, achieved_rate=9.0).problem(10, 10.0, "uac") == "late: 9 of 10 calls/s"
    assert role(10, achieved_rate=0.0).problem(10, 10.0, "uas") == ""
    assert role(10, overloaded_periods=2).problem(10, 10.0, "uas") == "overloaded itself in 2 periods"


def test_step_clean_needs_every_rep():
    step = bench.StepResult(rate=500, calls=10, reps=2, runs=[run()])
    assert not step.clean and not step.completed("uas")
    step.runs.append(run(cpu_s=0.003))
    assert step.clean and step.completed("uac")
    assert step.median_cpu_us("uas") == pytest.approx(200.0)


def test_compare_role_ratios():
    baseline = bench.PairingResult(bench.PAIRINGS["sipp"])
    baseline.steps = [bench.StepResult(500, 10, 1, [run()]), bench.StepResult(1000, 10, 1, [run()])]
    candidate = bench.PairingResult(bench.PAIRINGS["uas"], stopped="failed at 1000/s")
    candidate.steps = [
        bench.StepResult(500, 10, 1, [run(cpu_s=0.004)]),
        bench.StepResult(1000, 10, 1, [run(uas_ok=9)]),
    ]
    comparison = bench.compare_role("uas", {"sipp": baseline, "uas": candidate})
    assert comparison.sipperf_highest_clean_rate == 500
    assert comparison.sipp_highest_clean_rate == 1000
    assert comparison.rate_ratio == pytest.approx(0.5)
    assert [(c.rate, c.ratio) for c in comparison.cpu] == [(500, pytest.approx(4.0))]
    assert bench.compare_role("uac", {"sipp": baseline}) is None


def test_command_line_and_argv():
    args = "--rates 1000,500 --duration 2 --pairings uac,sipp --sipperf 'python -m sipperf' --buff-size 65536"
    cfg = bench.parse_args(shlex.split(args))
    assert cfg.rates == [500, 1000] and cfg.pairings == ["sipp", "uac"]
    assert cfg.step_timeout == 9
    assert shlex.join(cfg.argv("sipperf", "uac", 500)) == (
        "python -m sipperf -sn uac 127.0.0.1:15070 -r 500 -i 127.0.0.1 -p 15071 -m 1000 -nostdin -trace_stat"
        " -buff_size 65536"
    )
    assert shlex.join(cfg.argv("sipp", "uas", 500)).startswith("sipp -sn uas -i 127.0.0.1 -p 15070 -m 1000 ")
    workers = bench.parse_args(["--sipperf-args", "-workers 2"])
    assert workers.argv("sipperf", "uas", 500)[-2:] == ["-workers", "2"]
    assert "-workers" not in workers.argv("sipp", "uac", 500)
    with pytest.raises(SystemExit):
        bench.parse_args(["--pairings", "nope"])
