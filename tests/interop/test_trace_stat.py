"""`-trace_stat` files written by sipperf compared with the ones real SIPp writes for the same run:
the same header, the same rows (start-up row and the two final rows), every line ending with the
delimiter, and the same final counters.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from sipperf.output.stat_csv import LOAD_COLUMNS
from tests.interop.helpers import Processes, read_stat_csv, run_both_directions, wait_until

CALLS = 20
# Cumulative columns whose values depend on timing, not on what happened.
TIMING = ("Time", "Rate", "CallLength", "ResponseTime")


def test_stat_csv_matches_sipp(procs: Processes, ports: Callable[[], int]) -> None:
    (sipperf_uac, sipp_uas), (sipp_uac, sipperf_uas) = run_both_directions(
        procs, ports, calls=CALLS, rate=100
    )
    for scenario, ours, theirs in (("uac", sipperf_uac, sipp_uac), ("uas", sipperf_uas, sipp_uas)):
        our_lines = ours.stat_csv(scenario).read_text().splitlines()
        their_lines = theirs.stat_csv(scenario).read_text().splitlines()
        assert our_lines[0] == their_lines[0] + ";".join(LOAD_COLUMNS) + ";", f"{scenario} header differs"
        # header, start-up row, the row written when quitting and the final statistics row
        assert len(their_lines) == 4
        assert len(our_lines) == len(their_lines)
        assert all(line.endswith(";") for line in our_lines)
        our_rows = read_stat_csv(ours.stat_csv(scenario))
        their_rows = read_stat_csv(theirs.stat_csv(scenario))
        created = "OutgoingCall(C)" if scenario == "uac" else "IncomingCall(C)"
        final = [our_rows[-1][name] for name in (created, "SuccessfulCall(C)", "FailedCall(C)")]
        assert final == [str(CALLS), str(CALLS), "0"]
        counters = [
            name for name in our_rows[0] if name.endswith("(C)") and not any(t in name for t in TIMING)
        ]
        for ours_row, theirs_row in zip(our_rows, their_rows, strict=True):
            assert {n: ours_row[n] for n in counters} == {n: theirs_row[n] for n in counters}, scenario


def test_sipperf_says_when_it_could_not_keep_up(procs: Processes, ports: Callable[[], int]) -> None:
    """sipperf stopped for 1.5 s: the stat CSV marks that period overloaded (its timers ran far too
    late) and the exit summary says that the lateness was sipperf's own."""
    uas = procs.uas("sipperf", ports(), "-trace_stat", "-fd", "1")
    rows = lambda: read_stat_csv(uas.stat_csv("uas")) if uas.stat_csv("uas").exists() else []  # noqa: E731
    wait_until(lambda: len(rows()) >= 2, 10, "a periodic stat row")
    uas.send_signal(signal.SIGSTOP)
    time.sleep(1.5)  # the stop itself is what is measured: nothing to await
    uas.send_signal(signal.SIGCONT)
    wait_until(lambda: any(row["Overloaded(P)"] == "1" for row in rows()), 10, "an overloaded period")
    uas.send_signal(signal.SIGUSR1)
    assert uas.wait() == 0  # as SIPp: nothing failed
    overloaded = [row for row in rows() if row["Overloaded(P)"] == "1"]
    assert int(overloaded[0]["SchedulerLagMax(P)"]) >= 1000
    assert "sipperf was overloaded for " in uas.stderr
    assert "may come from sipperf itself, not from the peer" in uas.stderr
