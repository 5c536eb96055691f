"""sipperf's benchmark: sipperf side by side with real SIPp, in one run, on loopback UDP.

Three pairings are measured over a rising series of call rates:

* ``sipp`` -- SIPp UAC vs SIPp UAS, the baseline;
* ``uas``  -- sipperf UAS vs SIPp UAC;
* ``uac``  -- sipperf UAC vs SIPp UAS.

Each step (pairing x rate) runs both processes with ``-nostdin -trace_stat`` and the same ``-m``
(rate x duration), so that both exit by themselves, under a hard wall-clock timeout.  The outcome is
read from the exit codes and the last row of each ``-trace_stat`` CSV; CPU time and peak RSS come from
``os.wait4`` rusage.  The repetitions at one rate take turns between the pairings, so that the
machine's drift falls on all of them alike.  A pairing stops climbing at its first failed rate.  A
table and a summary (highest clean rate and CPU per call, sipperf vs SIPp, role by role) are printed,
and everything is written as JSON.  Linux only (reads /proc/net/udp); standard library only.

Usage: python bench/run.py [--pairings sipp,uas,uac] [--rates 500,1000] [--duration 5] [--reps 1]
       [--sipperf-args '-workers 2'] ...
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROLES = ("uas", "uac")  # start order: the UAS must listen before the UAC calls it
POLL_S = 0.005  # how often child processes are polled for exit
KILL_GRACE_S = 2.0  # between SIGTERM and SIGKILL
PROC_UDP = (Path("/proc/net/udp"), Path("/proc/net/udp6"))
MIN_ACHIEVED = 0.95  # a UAC must create its calls at 95% of the asked rate or better
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"


@dataclass(frozen=True)
class Pairing:
    key: str
    title: str
    uas: str  # tool playing the UAS: "sipp" or "sipperf"
    uac: str

    def tool(self, role: str) -> str:
        return self.uas if role == "uas" else self.uac


PAIRINGS = {
    p.key: p
    for p in (
        Pairing("sipp", "SIPp UAC vs SIPp UAS", uas="sipp", uac="sipp"),
        Pairing("uas", "sipperf UAS vs SIPp UAC", uas="sipperf", uac="sipp"),
        Pairing("uac", "sipperf UAC vs SIPp UAS", uas="sipp", uac="sipperf"),
    )
}


@dataclass(frozen=True)
class Config:
    commands: dict[str, list[str]]  # tool name -> argv prefix
    rates: list[int]
    duration: float
    reps: int
    buff_size: int | None
    pairings: list[str]
    json_path: Path
    max_seconds: float
    step_timeout: float
    uas_port: int
    uac_port: int
    host: str = "127.0.0.1"
    sipperf_args: tuple[str, ...] = ()  # appended to every sipperf command line (e.g. -workers 2)

    def calls(self, rate: int) -> int:
        return max(1, round(rate * self.duration))

    def port(self, role: str) -> int:
        return self.uas_port if role == "uas" else self.uac_port

    def argv(self, tool: str, role: str, rate: int) -> list[str]:
        argv = [*self.commands[tool], "-sn", role]
        if role == "uac":
            argv += [f"{self.host}:{self.uas_port}", "-r", str(rate)]
        argv += ["-i", self.host, "-p", str(self.port(role)), "-m", str(self.calls(rate))]
        argv += ["-nostdin", "-trace_stat"]
        if self.buff_size is not None:
            argv += ["-buff_size", str(self.buff_size)]
        if tool == "sipperf":
            argv += self.sipperf_args
        return argv


# ---------------------------------------------------------------------------------------------------
# Results


@dataclass
class RoleResult:
    """One process (one role) of one run."""

    tool: str
    exit_code: int | None = None  # None: never started
    killed: bool = False  # stopped by the bench: wall-clock timeout, or the other side failed
    created: int = 0  # OutgoingCall(C) for a UAC, IncomingCall(C) for a UAS
    successful: int = 0
    failed: int = 0
    retransmissions: int = 0
    overloaded_periods: int = 0  # sipperf's Overloaded(P) column: periods it could not keep up
    achieved_rate: float = 0.0  # CallRate(C) of the last row: calls created per second of the run
    wall_s: float = 0.0
    cpu_s: float = 0.0  # user + sys, from wait4 rusage
    max_rss_kib: int = 0
    error: str = ""  # could not start, exited before listening, no usable -trace_stat file
    stderr: str = ""  # last lines of its stderr, kept when it went wrong

    @property
    def cpu_us_per_call(self) -> float | None:
        return self.cpu_s * 1e6 / self.successful if self.successful else None

    def problem(self, calls: int, rate: float, role: str) -> str:
        """What went wrong with this side, in one line; empty if it was clean. A UAC that created
        its calls slower than asked was late: the rate was not sustained."""
        found = [self.error] if self.error else []
        if role == "uac" and not self.error and self.achieved_rate < MIN_ACHIEVED * rate:
            found.append(f"late: {self.achieved_rate:.0f} of {rate:g} calls/s")
        if self.killed:
            found.append("killed")
        elif self.exit_code not in (0, None):
            found.append(f"exit code {self.exit_code}")
        if self.failed:
            found.append(f"{self.failed} failed calls")
        if self.overloaded_periods:
            found.append(f"overloaded itself in {self.overloaded_periods} periods")
        if not self.error and self.exit_code is not None and self.successful < calls:
            found.append(f"{self.successful}/{calls} calls successful")
        if found and self.stderr:
            found.append(f"stderr: {self.stderr}")
        return ", ".join(found)

    def to_dict(self) -> dict[str, object]:
        return asdict(self) | {"cpu_us_per_call": self.cpu_us_per_call}


@dataclass
class RunResult:
    """One repetition of one step: a UAS and a UAC run against each other."""

    rep: int
    calls: int
    rate: float
    uas: RoleResult
    uac: RoleResult
    timed_out: bool = False
    error: str = ""  # a problem of the run rather than of one side

    def role(self, role: str) -> RoleResult:
        return self.uas if role == "uas" else self.uac

    def problems(self) -> list[str]:
        found = [self.error] if self.error else []
        if self.timed_out:
            found.append("wall-clock timeout")
        for role in ROLES:
            result = self.role(role)
            if problem := result.problem(self.calls, self.rate, role):
                found.append(f"{role} ({result.tool}): {problem}")
        return found

    @property
    def clean(self) -> bool:
        return not self.problems()

    def to_dict(self) -> dict[str, object]:
        return {
            "rep": self.rep,
            "calls": self.calls,
            "clean": self.clean,
            "problems": self.problems(),
            "timed_out": self.timed_out,
            "error": self.error,
            "uas": self.uas.to_dict(),
            "uac": self.uac.to_dict(),
        }


@dataclass
class StepResult:
    """All repetitions of one pairing at one rate."""

    rate: int
    calls: int
    reps: int
    runs: list[RunResult] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return len(self.runs) == self.reps and all(run.clean for run in self.runs)

    def completed(self, role: str) -> bool:
        """Every repetition ran and this role completed all its calls."""
        return len(self.runs) == self.reps and all(
            run.role(role).successful == self.calls for run in self.runs
        )

    def median_cpu_us(self, role: str) -> float | None:
        return median([run.role(role).cpu_us_per_call for run in self.runs])

    def median_rss_mib(self, role: str) -> float | None:
        return median([run.role(role).max_rss_kib / 1024 for run in self.runs if run.role(role).max_rss_kib])

    def total(self, role: str, counter: str) -> int:
        return sum(getattr(run.role(role), counter) for run in self.runs)

    def to_dict(self) -> dict[str, object]:
        per_role = {
            role: {
                "completed": self.completed(role),
                "median_cpu_us_per_call": self.median_cpu_us(role),
                "median_max_rss_mib": self.median_rss_mib(role),
                "failed": self.total(role, "failed"),
                "retransmissions": self.total(role, "retransmissions"),
            }
            for role in ROLES
        }
        return {"rate": self.rate, "calls": self.calls, "clean": self.clean, **per_role} | {
            "runs": [run.to_dict() for run in self.runs]
        }


@dataclass
class PairingResult:
    pairing: Pairing
    steps: list[StepResult] = field(default_factory=list)
    stopped: str = ""  # why it stopped climbing; empty if it ran the whole series

    @property
    def highest_clean_rate(self) -> int | None:
        return max((step.rate for step in self.steps if step.clean), default=None)

    def step(self, rate: int) -> StepResult | None:
        return next((step for step in self.steps if step.rate == rate), None)

    def to_dict(self) -> dict[str, object]:
        return asdict(self.pairing) | {
            "highest_clean_rate": self.highest_clean_rate,
            "stopped": self.stopped,
            "steps": [step.to_dict() for step in self.steps],
        }


@dataclass
class CpuComparison:
    rate: int
    sipperf_us_per_call: float
    sipp_us_per_call: float
    ratio: float


@dataclass
class RoleComparison:
    """sipperf in one role against SIPp in the same role (from the baseline pairing)."""

    role: str
    sipperf_highest_clean_rate: int | None
    sipp_highest_clean_rate: int | None
    rate_ratio: float | None
    cpu: list[CpuComparison]


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not denominator:
        return None
    return (numerator or 0) / denominator


def compare_role(role: str, results: dict[str, PairingResult]) -> RoleComparison | None:
    """sipperf's pairing in `role` against the SIPp baseline; None unless both were run."""
    candidate, baseline = results.get(role), results.get("sipp")
    if candidate is None or baseline is None:
        return None
    cpu = []
    for step in candidate.steps:
        base = baseline.step(step.rate)
        if base is None or not (step.completed(role) and base.completed(role)):
            continue
        ours, theirs = step.median_cpu_us(role), base.median_cpu_us(role)
        if ours and theirs:
            cpu.append(CpuComparison(step.rate, ours, theirs, ours / theirs))
    return RoleComparison(
        role=role,
        sipperf_highest_clean_rate=candidate.highest_clean_rate,
        sipp_highest_clean_rate=baseline.highest_clean_rate,
        rate_ratio=ratio(candidate.highest_clean_rate, baseline.highest_clean_rate),
        cpu=cpu,
    )


# ---------------------------------------------------------------------------------------------------
# Trace-stat files


def find_stat_file(cwd: Path, scenario: str, pid: int) -> Path | None:
    """`<scenario>_<pid>_.csv`; any `<scenario>_*_.csv` if the pid differs (e.g. a wrapper script)."""
    exact = cwd / f"{scenario}_{pid}_.csv"
    if exact.exists():
        return exact
    return next(iter(sorted(cwd.glob(f"{scenario}_*_.csv"))), None)


def read_stats(path: Path) -> list[dict[str, str]]:
    """The data rows of a `;`-delimited -trace_stat file, keyed by the header row."""
    with path.open(newline="", errors="replace") as handle:
        rows = [row for row in csv.reader(handle, delimiter=";") if row]
    if len(rows) < 2:
        raise ValueError(f"{path.name} has no data row")
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def apply_stats(result: RoleResult, role: str, rows: list[dict[str, str]]) -> None:
    stats = rows[-1]
    created = "IncomingCall(C)" if role == "uas" else "OutgoingCall(C)"
    result.created = int(stats[created])
    result.successful = int(stats["SuccessfulCall(C)"])
    result.failed = int(stats["FailedCall(C)"])
    result.retransmissions = int(stats["Retransmissions(C)"])
    result.overloaded_periods = sum(row.get("Overloaded(P)") == "1" for row in rows)
    result.achieved_rate = float(stats["CallRate(C)"])


# ---------------------------------------------------------------------------------------------------
# Processes


def udp_port_bound(port: int) -> bool:
    """Whether any local UDP socket is bound to `port` (from /proc/net/udp{,6})."""
    for table in PROC_UDP:
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local = line.split()[1]  # e.g. 0100007F:3AEE
            if int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def tail(path: Path, lines: int = 3) -> str:
    if not path.exists():
        return ""
    kept = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return " | ".join(kept[-lines:])[-300:]


@dataclass
class Child:
    """A started process, reaped with os.wait4 to get its rusage."""

    popen: subprocess.Popen[bytes]
    cwd: Path
    started: float
    ended: float | None = None
    rusage: resource.struct_rusage | None = None
    killed: bool = False

    def poll(self) -> bool:
        """Reap the process if it has exited; True once reaped."""
        if self.rusage is None:
            pid, status, rusage = os.wait4(self.popen.pid, os.WNOHANG)
            if pid:
                self.popen.returncode = os.waitstatus_to_exitcode(status)
                self.rusage, self.ended = rusage, time.monotonic()
        return self.rusage is not None

    def signal(self, sig: signal.Signals) -> None:
        """Signal the process group of a still-running child (it runs in its own session)."""
        if not self.poll():
            self.killed = True
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass


def launch(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Child:
    """Start `argv` in the new directory `cwd` (stderr kept there), `env` added to ours. Python's
    bytecode cache is always on, as in an installed sipperf: with PYTHONDONTWRITEBYTECODE set, every
    start would compile again whichever module's cached bytecode is older than its source."""
    cwd.mkdir()
    child_env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    with (cwd / "stderr.log").open("wb") as stderr:
        popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**child_env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    return Child(popen, cwd, time.monotonic())


def wait_all(children: Iterable[Child], deadline: float) -> bool:
    """Reap children until all have exited (True) or the deadline passes (False)."""
    pending = list(children)
    while not all([child.poll() for child in pending]):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True


def stop(children: list[Child]) -> None:
    """SIGTERM, then SIGKILL, whatever is still running, and reap it."""
    for sig, grace in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, float("inf"))):
        for child in children:
            child.signal(sig)
        if wait_all(children, time.monotonic() + grace):
            return


class PairRun:
    """One run of a pairing at a rate: start the UAS, wait for it to listen, start the UAC, wait."""

    def __init__(self, cfg: Config, pairing: Pairing, rate: int, workdir: Path) -> None:
        self.cfg, self.pairing, self.rate, self.workdir = cfg, pairing, rate, workdir
        self.children: dict[str, Child] = {}
        self.errors: dict[str, str] = {}
        self.error = ""
        self.timed_out = False

    def execute(self) -> None:
        try:
            self._drive()
        finally:
            stop(list(self.children.values()))

    def _drive(self) -> None:
        busy = [port for port in (self.cfg.uas_port, self.cfg.uac_port) if udp_port_bound(port)]
        if busy:
            self.error = f"UDP port(s) {busy} already in use"
            return
        deadline = time.monotonic() + self.cfg.step_timeout
        for role in ROLES:
            if not self._start(role):
                return
            if role == "uas" and not self._await_listening(deadline):
                return
        self._await_exit(deadline)

    def _start(self, role: str) -> bool:
        argv = self.cfg.argv(self.pairing.tool(role), role, self.rate)
        try:
            self.children[role] = launch(argv, self.workdir / role)
        except OSError as exc:
            self.errors[role] = f"cannot start `{shlex.join(argv)}`: {exc.strerror or exc}"
            return False
        return True

    def _await_listening(self, deadline: float) -> bool:
        uas, port = self.children["uas"], self.cfg.uas_port
        while not udp_port_bound(port):
            if uas.poll():
                self.errors["uas"] = f"exited before listening on UDP port {port}"
                return False
            if time.monotonic() >= deadline:
                self.errors["uas"] = f"never listened on UDP port {port}"
                self.timed_out = True
                return False
            time.sleep(POLL_S)
        return True

    def _await_exit(self, deadline: float) -> None:
        """Until both exit; the other side is stopped early once one has failed (a non-zero exit)."""
        while not all([child.poll() for child in self.children.values()]):
            failed = [
                role for role, child in self.children.items() if child.poll() and child.popen.returncode
            ]
            if failed:
                code = self.children[failed[0]].popen.returncode
                self.error = f"{failed[0]} exited with code {code}, so the other side was stopped"
                return
            if time.monotonic() >= deadline:
                self.timed_out = True
                return
            time.sleep(POLL_S)

    def result(self, rep: int) -> RunResult:
        roles = {role: self._role_result(role) for role in ROLES}
        return RunResult(
            rep=rep,
            calls=self.cfg.calls(self.rate),
            rate=self.rate,
            uas=roles["uas"],
            uac=roles["uac"],
            timed_out=self.timed_out,
            error=self.error,
        )

    def _role_result(self, role: str) -> RoleResult:
        result = RoleResult(tool=self.pairing.tool(role), error=self.errors.get(role, ""))
        child = self.children.get(role)
        if child is None:  # never started: its own launch failed, or the UAS failed, or the run did
            result.error = result.error or ("" if self.error else "not started")
            return result
        assert child.rusage is not None and child.ended is not None  # stop() has reaped it
        result.exit_code, result.killed = child.popen.returncode, child.killed
        result.wall_s = child.ended - child.started
        result.cpu_s = child.rusage.ru_utime + child.rusage.ru_stime
        result.max_rss_kib = child.rusage.ru_maxrss
        stat_file = find_stat_file(child.cwd, role, child.popen.pid)
        try:
            if stat_file is None:
                raise ValueError("no file written")
            apply_stats(result, role, read_stats(stat_file))
        except (ValueError, KeyError) as exc:
            result.error = result.error or f"unreadable -trace_stat ({exc})"
        if result.error or result.exit_code != 0:
            result.stderr = tail(child.cwd / "stderr.log")
        return result


def run_once(cfg: Config, pairing: Pairing, rate: int, rep: int) -> RunResult:
    with tempfile.TemporaryDirectory(prefix="sipperf-bench-") as tmp:
        run = PairRun(cfg, pairing, rate, Path(tmp))
        run.execute()
        return run.result(rep)


# ---------------------------------------------------------------------------------------------------
# The benchmark


def log(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", file=sys.stderr, flush=True)


def run_rate(cfg: Config, results: list[PairingResult], rate: int, started: float) -> None:
    """One step at `rate` for each pairing in `results`, their repetitions interleaved (rep 1 of each
    pairing, then rep 2...), so that the machine's drift falls on all of them alike. A pairing's step
    stops at its first failed repetition (the step has failed anyway)."""
    steps = [StepResult(rate, cfg.calls(rate), cfg.reps) for _ in results]
    for rep in range(1, cfg.reps + 1):
        for result, step in zip(results, steps, strict=True):
            if step.runs and not step.runs[-1].clean:
                continue
            run = run_once(cfg, result.pairing, rate, rep)
            step.runs.append(run)
            verdict = "clean" if run.clean else "FAILED: " + "; ".join(run.problems())
            log(started, f"{result.pairing.title} @ {rate}/s rep {rep}/{cfg.reps}: {verdict}")
    for result, step in zip(results, steps, strict=True):
        result.steps.append(step)
        if not step.clean:
            result.stopped = f"failed at {rate}/s"


def run_benchmark(cfg: Config) -> dict[str, PairingResult]:
    """Rate by rate, each pairing still climbing runs a step; time-boxed by --max-seconds."""
    results = {key: PairingResult(PAIRINGS[key]) for key in cfg.pairings}
    worst_step_s = cfg.reps * (cfg.step_timeout + 2 * KILL_GRACE_S)
    started = time.monotonic()
    for rate in cfg.rates:
        climbing = [result for result in results.values() if not result.stopped]
        if time.monotonic() - started + len(climbing) * worst_step_s > cfg.max_seconds:
            for result in climbing:
                result.stopped = f"time budget (--max-seconds {cfg.max_seconds:g}) reached before {rate}/s"
            break
        if climbing:
            run_rate(cfg, climbing, rate, started)
    return results


# ---------------------------------------------------------------------------------------------------
# Report


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def fmt_rate(result: PairingResult | None) -> str:
    if result is None:
        return "not run"
    rate = result.highest_clean_rate
    if rate is None:
        return "none"
    return f"{rate}/s" + ("" if result.stopped else " (top of series)")


HEADER = (
    f"{'rate/s':>7} {'calls':>7}  {'UAS us/call':>11} {'UAC us/call':>11}  {'UAS fail':>8} {'UAC fail':>8}"
    f"  {'UAS retr':>8} {'UAC retr':>8}  {'UAS MiB':>7} {'UAC MiB':>7}  result"
)


def step_lines(step: StepResult) -> list[str]:
    line = (
        f"{step.rate:>7} {step.calls:>7}"
        f"  {fmt(step.median_cpu_us('uas')):>11} {fmt(step.median_cpu_us('uac')):>11}"
        f"  {step.total('uas', 'failed'):>8} {step.total('uac', 'failed'):>8}"
        f"  {step.total('uas', 'retransmissions'):>8} {step.total('uac', 'retransmissions'):>8}"
        f"  {fmt(step.median_rss_mib('uas')):>7} {fmt(step.median_rss_mib('uac')):>7}"
        f"  {'clean' if step.clean else 'FAILED'}"
    )
    problems = [p for run in step.runs for p in run.problems()]
    return [line] + [f"{'':>17}- {problem}" for problem in problems]


def report(cfg: Config, results: dict[str, PairingResult], summary: list[RoleComparison]) -> str:
    lines = [
        f"CPU: median over {cfg.reps} rep(s) of user+sys CPU us per successful call; "
        f"fail/retr: totals over reps; MiB: median peak RSS"
    ]
    for result in results.values():
        pairing = result.pairing
        lines += ["", f"== {pairing.title}  (UAS: {pairing.uas}, UAC: {pairing.uac}) ==", HEADER]
        for step in result.steps:
            lines += step_lines(step)
        lines.append(
            f"highest clean rate: {fmt_rate(result)}"
            + (f"; stopped: {result.stopped}" if result.stopped else "")
        )
    lines += ["", "== Summary: sipperf vs SIPp, same role =="]
    if not summary:
        lines.append("(needs the sipp pairing and at least one sipperf pairing)")
    for comparison in summary:
        lines += summary_lines(comparison, results)
    return "\n".join(lines)


def summary_lines(comparison: RoleComparison, results: dict[str, PairingResult]) -> list[str]:
    role = comparison.role.upper()
    lines = [
        f"{role}: highest clean rate sipperf {fmt_rate(results[comparison.role])} vs SIPp "
        f"{fmt_rate(results['sipp'])} -> ratio {fmt(comparison.rate_ratio, '.2f')}"
    ]
    for cpu in comparison.cpu:
        lines.append(
            f"  @ {cpu.rate}/s CPU us/call: sipperf {cpu.sipperf_us_per_call:.1f} vs SIPp "
            f"{cpu.sipp_us_per_call:.1f} -> ratio {cpu.ratio:.2f}"
        )
    if not comparison.cpu:
        lines.append("  no rate where both completed all calls: no CPU comparison")
    return lines


def write_json(cfg: Config, results: dict[str, PairingResult], summary: list[RoleComparison]) -> None:
    document = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "config": {**asdict(cfg), "json_path": str(cfg.json_path)},
        "pairings": [result.to_dict() for result in results.values()],
        "summary": [asdict(comparison) for comparison in summary],
    }
    cfg.json_path.parent.mkdir(parents=True, exist_ok=True)
    cfg.json_path.write_text(json.dumps(document, indent=2) + "\n")


# ---------------------------------------------------------------------------------------------------
# Command line


def parse_rates(text: str) -> list[int]:
    try:
        rates = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad rate list {text!r}") from exc
    if not rates or rates[0] <= 0:
        raise argparse.ArgumentTypeError("rates must be positive integers")
    return rates


def parse_pairings(text: str) -> list[str]:
    keys = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [key for key in keys if key not in PAIRINGS]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(f"pairings are a subset of {','.join(PAIRINGS)}; got {text!r}")
    return [key for key in PAIRINGS if key in keys]  # canonical order, baseline first


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--sipperf", default="sipperf", help="sipperf command (e.g. 'python -m sipperf'); default: sipperf")
    add("--sipp", default="sipp", help="SIPp command; default: sipp")
    add("--sipperf-args", default="", help="options appended to sipperf's command line (e.g. '-workers 2')")
    add(
        "--rates",
        type=parse_rates,
        default=parse_rates("500,1000,2000,4000,8000"),
        help="comma-separated calls/s series (default 500,1000,2000,4000,8000)",
    )
    add("--duration", type=float, default=5.0, help="seconds of calls per step: -m = rate x duration (5)")
    add("--reps", type=int, default=1, help="repetitions per step (1)")
    add("--buff-size", type=int, default=None, help="pass -buff_size N to both sides (default: not passed)")
    add(
        "--pairings",
        type=parse_pairings,
        default=list(PAIRINGS),
        help="subset of sipp,uas,uac (default: all)",
    )
    add("--json", type=Path, default=DEFAULT_JSON, help=f"results file (default {DEFAULT_JSON})")
    add(
        "--max-seconds",
        type=float,
        default=300.0,
        help="overall time cap: no step starts unless its worst case fits (300)",
    )
    add(
        "--step-timeout",
        type=float,
        default=None,
        help="wall-clock kill timeout per run, seconds (default 2 x duration + 5)",
    )
    add("--uas-port", type=int, default=15070)
    add("--uac-port", type=int, default=15071)
    args = parser.parse_args(argv)
    if args.reps < 1 or args.duration <= 0 or args.uas_port == args.uac_port:
        parser.error("--reps must be >= 1, --duration > 0, and the two ports distinct")
    return Config(
        commands={"sipperf": shlex.split(args.sipperf), "sipp": shlex.split(args.sipp)},
        rates=args.rates,
        duration=args.duration,
        reps=args.reps,
        buff_size=args.buff_size,
        pairings=args.pairings,
        json_path=args.json,
        max_seconds=args.max_seconds,
        step_timeout=args.step_timeout if args.step_timeout is not None else 2 * args.duration + 5,
        uas_port=args.uas_port,
        uac_port=args.uac_port,
        sipperf_args=tuple(shlex.split(args.sipperf_args)),
    )


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    if not PROC_UDP[0].exists():
        print("bench/run.py needs Linux (/proc/net/udp)", file=sys.stderr)
        return 2
    try:
        results = run_benchmark(cfg)
    except KeyboardInterrupt:  # the running step's processes were already stopped
        return 130
    summary = [c for c in (compare_role(role, results) for role in ROLES) if c is not None]
    print(report(cfg, results, summary))
    write_json(cfg, results, summary)
    print(f"\nJSON: {cfg.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
