"""Two builds of sipperf side by side: CPU per call of each, run at the same time, as a ratio.

On a machine whose speed drifts by ±15% from one run to the next, runs taken one after the other
cannot show a 3% change. Here both builds run at once, each against its own SIPp peer, so whatever
the machine does, it does to both; the paired ratio B/A of each round is steady to about 2-3%.
A build is a directory holding a `src/` with sipperf importable (compiled in place with
`python setup.py build_ext --inplace`, or plain Python); its extra sipperf arguments follow a colon.

    python bench/compare_builds.py /tmp/a /tmp/b:'-deadcall_wait 0' [--role uac] [--rate 3000]
                                   [--calls 18000] [--rounds 6]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import Child, launch, stop, udp_port_bound, wait_all  # noqa: E402

BASE_PORT = 16070  # build A's UAS listens here, build B's on the next port


def sipperf_argv(build: str) -> tuple[list[str], dict[str, str]]:
    """The command line prefix and environment that run `build` ("dir" or "dir:extra args")."""
    directory, _, extra = build.partition(":")
    argv = [sys.executable, "-m", "sipperf", *shlex.split(extra)]
    return argv, {"PYTHONPATH": str(Path(directory).resolve() / "src")}


def one_round(builds: list[str], role: str, rate: int, calls: int, workdir: Path) -> list[float] | None:
    """CPU µs per call of each build in one round where all run at once; None when a process did
    not exit with 0 (a failed call: the round does not count)."""
    workdir.mkdir()
    common = ["-i", "127.0.0.1", "-m", str(calls), "-nostdin"]
    ours: list[Child] = []
    peers: list[Child] = []
    for n, build in enumerate(builds):
        argv, env = sipperf_argv(build)
        port = BASE_PORT + 2 * n
        uas = ["-sn", "uas", "-p", str(port), *common]
        uac = ["-sn", "uac", f"127.0.0.1:{port}", "-p", str(port + 1), "-r", str(rate), *common]
        if role == "uas":
            ours.append(launch([*argv, *uas], workdir / f"{n}-sipperf", env))
        else:
            peers.append(launch(["sipp", *uas], workdir / f"{n}-sipp"))
        deadline = time.monotonic() + 10
        while not udp_port_bound(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        if role == "uas":
            peers.append(launch(["sipp", *uac], workdir / f"{n}-sipp"))
        else:
            ours.append(launch([*argv, *uac], workdir / f"{n}-sipperf", env))
    everyone = ours + peers
    if not wait_all(everyone, time.monotonic() + calls / rate * 3 + 30):
        stop(everyone)
        sys.exit(f"a round did not finish in time; see {workdir}")
    for child in everyone:
        if child.popen.returncode != 0:
            tail = (child.cwd / "stderr.log").read_text(errors="replace").strip().splitlines()[-1:]
            print(
                f"round left out: exit code {child.popen.returncode} in {child.cwd.name} {tail}",
                file=sys.stderr,
            )
            return None
    return [(c.rusage.ru_utime + c.rusage.ru_stime) / calls * 1e6 for c in ours if c.rusage]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("build_a")
    parser.add_argument("build_b")
    parser.add_argument("--role", choices=("uac", "uas"), default="uac")
    parser.add_argument("--rate", type=int, default=3000)
    parser.add_argument("--calls", type=int, default=18000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    builds = [args.build_a, args.build_b]
    rows: list[list[float]] = []
    with tempfile.TemporaryDirectory(prefix="sipperf-compare-") as tmp:
        for k in range(2 * args.rounds):  # rounds with a failed call are run again, up to twice
            if len(rows) == args.rounds:
                break
            order = builds if k % 2 == 0 else builds[::-1]  # who starts first alternates
            cost = one_round(order, args.role, args.rate, args.calls, Path(tmp) / str(k))
            if cost is None:
                continue
            rows.append(cost if k % 2 == 0 else cost[::-1])
            print(f"round {k + 1}: A {rows[-1][0]:.1f}  B {rows[-1][1]:.1f} us/call", file=sys.stderr)
    if not rows:
        sys.exit("no round completed without a failed call")
    a = statistics.median(row[0] for row in rows)
    b = statistics.median(row[1] for row in rows)
    paired = sorted(row[1] / row[0] for row in rows)
    print(f"{args.role} at {args.rate}/s, {args.calls} calls, {len(rows)} rounds")
    print(f"A {args.build_a}: median {a:.1f} us/call")
    print(f"B {args.build_b}: median {b:.1f} us/call")
    pairs = ", ".join(f"{p:.3f}" for p in paired)
    print(f"B/A: median of pairs {statistics.median(paired):.3f}  (pairs {pairs})")


if __name__ == "__main__":
    main()
