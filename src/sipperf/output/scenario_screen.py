"""The body of SIPp's scenario screen (screen 1): the run header and one row per scenario step.

Layout of SIPp 3.6.1, including its quirks: every line is cut to 79 characters, the `Call limit`
line divides the period by 100, and a build with pcap play repeats the sockets line when the screen
period is empty.
"""

from __future__ import annotations

from sipperf.output.columns import clip, pad
from sipperf.output.runinfo import RunInfo
from sipperf.scenario.model import Mode, Scenario, Step, StepKind
from sipperf.stats.snapshot import StatsLayout, StatsSnapshot, StepTotals
from sipperf.timefmt import time_string

_TABLE = "                                 Messages  Retrans   Timeout   "
_NOP = "              [ NOP ]              "


def scenario_lines(scenario: Scenario, snap: StatsSnapshot, info: RunInfo) -> list[str]:
    lose = info.lose_packets or any(step.lost is not None for step in scenario.steps)
    lines = _header(snap, info)
    lines.append("")
    lines.append(_TABLE + ("Unexp.    Lost" if lose else "Unexpected-Msg"))
    for step in scenario.steps:
        if step.hide and not info.show_hidden:
            continue
        lines.append(clip(_row(step, snap.steps[step.index], snap.layout, info, lose)))
        if step.crlf:
            lines.append("")
    return lines


def _left(text: str) -> str:
    """`%-38s` of a text first cut to SIPp's 40-byte left-column buffer."""
    return f"{text[:39]:<38}"


def _header(snap: StatsSnapshot, info: RunInfo) -> list[str]:
    total = snap.total_created
    time_calls = (
        f"{info.local_port:<5} {info.elapsed_ms // 1000:>6}.{info.elapsed_ms % 1000 // 10:02d} s"
        f"     {total:>8}"
    )
    remote = f"{info.remote_ip[:20]}:{info.remote_port}({info.transport})"
    if info.mode is Mode.SERVER:
        lines = ["  Port   Total-time  Total-calls  Transport", f"  {time_calls}  {info.transport}"]
    elif info.users is not None:
        lines = [
            "  Users (length)   Port   Total-time  Total-calls  Remote-host",
            f"  {info.users} ({info.duration_ms} ms)   {time_calls}  {remote}",
        ]
    else:
        lines = [
            "  Call rate (length)   Port   Total-time  Total-calls  Remote-host",
            f"  {info.rate:3.1f}({info.duration_ms} ms)/{info.rate_period_ms / 1000:5.3f}s   "
            f"{time_calls}  {remote}",
        ]
    period = info.period_ms
    if info.max_calls is None or total < info.max_calls:
        left = f"{info.period_calls} new calls during {period // 1000}.{period % 1000:03d} s period"
    else:
        left = f"Call limit {info.max_calls} hit, {period / 100:.1f} s period "
    right = f"{info.scheduler_ms} ms scheduler resolution"
    calls = f"{snap.current_calls} calls"
    if info.mode is Mode.CLIENT:
        calls += f" (limit {info.call_limit})"
    dead = _left(f"{snap.counter('DeadCallMsgs')} dead call msg (discarded)")
    if info.mode is Mode.CLIENT:
        dead += f"  {snap.counter('OutOfCallMsgs')} out-of-call msg (discarded)"
    errors = f"{info.send_errors}/{info.recv_errors}/{info.cong_errors} {info.transport} errors"
    sockets = f"  {_left(f'{info.open_sockets} open sockets')}  {errors} (send/recv/cong)"
    if period:
        rtp_sent = _left(f"{info.rtp_packets_sent} Total RTP pckts sent ")
        rtp_bytes = info.rtp_bytes_period
        media = f"  {rtp_sent}  {rtp_bytes // period}.{rtp_bytes % period:03d} last period RTP rate (kB/s)"
    else:
        media = sockets
    lines += [
        "",
        f"  {pad(left, 38)}  {pad(right, 37)}",
        f"  {_left(calls)}  Peak was {snap.peak_calls} calls, after {int(snap.peak_after_ms // 1000)} s",
        f"  {info.running} Running, {info.paused} Paused, {info.woken} Woken up",
        f"  {dead}",
        sockets,
        media,
    ]
    return [clip(line) for line in lines]


def _row(step: Step, counts: StepTotals, layout: StatsLayout, info: RunInfo, lose: bool) -> str:
    kind = step.kind
    if kind is StepKind.SEND or kind is StepKind.RECV:
        return _message_row(step, counts, layout, info, lose)
    if kind is StepKind.PAUSE:
        return _pause_row(step, counts, info)
    if kind is StepKind.NOP:
        return f" {step.display}" if step.display else _NOP
    if kind is StepKind.RECV_CMD:
        timeouts = counts.timeouts if step.retrans else ""
        return f"    [ Received Command ]         {counts.msgs:<9} {'':<9} {timeouts:<9} {'':<9}"
    return f"        [ Sent Command ]         {counts.msgs:<9} {'':<9}           {'':<9}"


def _message_row(step: Step, counts: StepTotals, layout: StatsLayout, info: RunInfo, lose: bool) -> str:
    server = info.mode is Mode.SERVER
    lost = str(counts.lost) if lose and counts.lost else ""
    if step.kind is StepKind.SEND:
        arrow = f"  <---------- {step.label:<10} " if server else f"  {step.label:>10} ----------> "
        timeouts = counts.timeouts if step.retrans else ""
        cells = (counts.msgs, counts.retrans, timeouts, "", lost)
    else:
        arrow = f"  ----------> {step.label:<10} " if server else f"  {step.label:>10} <---------- "
        cells = (counts.msgs, counts.retrans, counts.timeouts, counts.unexp, lost)
    if step.start_rtd is not None:
        marker = f" B-RTD{layout.rtd_number(step.start_rtd)} "
    elif step.rtd is not None:
        marker = f" E-RTD{layout.rtd_number(step.rtd)} "
    else:
        marker = "        "
    row = arrow + marker + " ".join(f"{cell:<9}" for cell in cells)
    return f"{step.index:<2}:{row}" if info.show_index else row


def _pause_row(step: Step, counts: StepTotals, info: RunInfo) -> str:
    desc = time_string(step.pause_ms if step.pause_ms is not None else info.duration_ms)[:23]
    fill = max(len(desc), 9)
    if info.mode is Mode.SERVER:
        left = f"  [{desc:>9}] Pause" + " " * max(23 - fill, 0)
    else:
        left = f"       Pause [{desc:>9}]" + " " * max(18 - fill, 0)
    return f"{left[:39]}{counts.msgs:<9}                     {counts.unexp:<9}"
