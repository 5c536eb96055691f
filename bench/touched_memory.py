"""How much memory a UAS touches in a short window, by mapping: sipperf against SIPp, same load.

Each tool in turn answers SIPp's `uac` at --rate; once the load is steady, the probe clears the
process's referenced bits (/proc/PID/clear_refs), waits --window ms, and sums the `Referenced:`
lines of /proc/PID/smaps per mapping; the mean of --samples windows is printed. On a machine where
memory left alone for a while is slow to come back to (see `idle_memory.py`), the CPU cost of a
wake-up follows how many pages it touches, code included, so this is what to shrink at low rates.
Linux only; needs to be allowed to write the other process's clear_refs (same user, or root).

    python bench/touched_memory.py [--rate 1000] [--window 2] [--samples 100] [--top 8]
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

CALLS = 1_000_000  # more than the probe lasts: the peers are stopped when it is done
SETTLE_S = 2.0  # from the first call to the steady state measured


def referenced_kb(pid: int, window_s: float) -> collections.Counter[str]:
    """KB referenced per mapping (file name and permissions) during one window."""
    Path(f"/proc/{pid}/clear_refs").write_text("1")
    time.sleep(window_s)
    found: collections.Counter[str] = collections.Counter()
    name = ""
    with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and fields[0] == "Referenced:":
                found[name] += int(fields[1])
            elif fields and "-" in fields[0] and not fields[0].endswith(":"):
                path = fields[5] if len(fields) > 5 else "[anonymous]"
                name = f"{Path(path).name} ({fields[1]})"
    return found


def probe(tool: list[str], rate: int, window_s: float, samples: int) -> collections.Counter[str]:
    """Mean KB referenced per window by `tool` playing the built-in uas against SIPp's uac."""
    port = 5400 + os.getpid() % 500
    uas = subprocess.Popen([*tool, "-sn", "uas", "-p", str(port), "-nostdin", "-m", str(CALLS)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(1.0)
    uac = subprocess.Popen(["sipp", "-sn", "uac", f"127.0.0.1:{port}", "-r", str(rate), "-nostdin",
                            "-m", str(CALLS)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        time.sleep(SETTLE_S)
        total: collections.Counter[str] = collections.Counter()
        for _ in range(samples):
            total.update(referenced_kb(uas.pid, window_s))
        return collections.Counter({name: kb // samples for name, kb in total.items()})
    finally:
        for child in (uac, uas):
            child.kill()
            child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--window", type=float, default=2.0, help="ms")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--top", type=int, default=8, help="mappings listed per tool")
    args = parser.parse_args()
    if shutil.which("sipp") is None:
        sys.exit("sipp is not installed (apt-get install -y sip-tester)")
    tools = {"sipperf": [sys.executable, "-m", "sipperf"], "SIPp": ["sipp"]}
    for label, tool in tools.items():
        found = probe(tool, args.rate, args.window / 1000, args.samples)
        print(f"{label} UAS at {args.rate} calls/s: {sum(found.values())} KB referenced per "
              f"{args.window:g} ms window (mean of {args.samples})")  # fmt: skip
        for name, kb in found.most_common(args.top):
            print(f"  {kb:6d} KB  {name}")


if __name__ == "__main__":
    main()
