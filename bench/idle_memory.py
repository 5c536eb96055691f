"""How slow memory left idle is to come back to, on this machine: a probe for reading benchmarks.

Touches one byte in each of --pages pages, sleeps, touches them again and reports the time of the
second pass, for a series of sleeps. On a machine where the figure grows with the sleep (some virtual
machines: several µs per page after a second), the CPU cost per call at low rates depends on how many
pages a call and a wake-up touch, more than on the instructions run.

    python bench/idle_memory.py [--pages 2000] [--reps 5]
"""

from __future__ import annotations

import argparse
import time

PAGE = 4096
SLEEPS_S = (0.0, 0.001, 0.01, 0.05, 0.2, 1.0)


def touch(buf: bytearray) -> int:
    total = 0
    for offset in range(0, len(buf), PAGE):
        total += buf[offset]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    buf = bytearray(PAGE * args.pages)
    for offset in range(0, len(buf), PAGE):
        buf[offset] = 1
    for sleep in SLEEPS_S:
        spent = 0.0
        for _ in range(args.reps):
            time.sleep(sleep)
            start = time.perf_counter()
            touch(buf)
            spent += time.perf_counter() - start
        mean_us = spent / args.reps * 1e6
        print(f"after {sleep * 1000:6.0f} ms asleep: {mean_us:8.0f} us for {args.pages} pages "
              f"({mean_us / args.pages:.2f} us per page)")  # fmt: skip


if __name__ == "__main__":
    main()
