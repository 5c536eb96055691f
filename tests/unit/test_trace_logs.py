"""Unit tests of the trace files: whole records per write, and files shared by worker processes."""

from pathlib import Path

from sipperf.config import Config
from sipperf.output.trace_logs import ActionLog, ErrorLog, TraceLogs, prepare_shared


def test_records_are_written_at_flush_and_close(tmp_path: Path) -> None:
    path = tmp_path / "x_logs.log"
    log = ActionLog(str(path))
    log("one")
    assert path.read_text() == ""  # kept in memory until the periodic flush
    log.flush()
    log("two")
    log.close()
    assert path.read_text() == "one\ntwo\n"


def test_shared_error_log_has_one_header_whoever_writes_first(tmp_path: Path) -> None:
    path = str(tmp_path / "x_errors.log")
    first, second = ErrorLog(path, shared=True), ErrorLog(path, shared=True)
    second("from worker 2")
    first("from worker 1")
    second.close()
    first.close()
    lines = Path(path).read_text().splitlines()
    assert lines[0] == "The following events occurred:"
    assert [line.split(": ", 1)[1] for line in lines[1:]] == ["from worker 2", "from worker 1"]


def test_prepare_shared_empties_what_workers_then_append_to(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("s_1_messages.log", "s_1_errors.log", "s_1_logs.log"):
        (tmp_path / name).write_text("old run\n")
    config = Config(trace_msg=True, trace_err=True, trace_logs=True)
    prepare_shared(config, "s_1_")
    assert not (tmp_path / "s_1_errors.log").exists()
    workers = [TraceLogs.open(config, "s_1_", "UDP", shared=True) for _ in range(2)]
    for number, traces in enumerate(workers):
        traces.actions(f"worker {number}")
        traces.close()
    assert (tmp_path / "s_1_logs.log").read_text() == "worker 0\nworker 1\n"
    assert (tmp_path / "s_1_messages.log").read_text() == ""
