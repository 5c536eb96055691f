"""The bodies of SIPp's statistics screen (screen 2) and repartition screens (3, and 6-9).

SIPp 3.6.1 quirk kept on purpose: the `Elapsed Time`, `Response Time` and `Call Length` rows show
the periodic value in both columns (SIPp formats both through one static buffer).
"""

from __future__ import annotations

from sipperf.output.columns import clip, pad
from sipperf.stats.snapshot import StatsSnapshot
from sipperf.timefmt import hms_usec, tab_timestamp

CROSS_LINE = "-------------------------+---------------------------+--------------------------"
_HEADER = "  Counter Name           | Periodic value            | Cumulative value"
_NO_TABLE = "  <No repartion defined>"


def _text(label: str, value: str) -> str:
    return f"  {pad(label, 22)} | {pad(value, 52)} "


def _text_cols(label: str, periodic: str, cumulative: str) -> str:
    return f"  {pad(label, 22)} | {pad(periodic, 25)} | {pad(cumulative, 24)} "


def _values(label: str, periodic: int, cumulative: int) -> str:
    return f"  {pad(label, 22)} | {periodic:>8}                  | {cumulative:>8}                 "


def _counter(label: str, name: str, periodic: StatsSnapshot, cumulative: StatsSnapshot) -> str:
    return _values(label, periodic.counter(name), cumulative.counter(name))


def _mean(ms: float) -> str:
    return hms_usec(int(ms))


def statistics_lines(cumulative: StatsSnapshot, periodic: StatsSnapshot) -> list[str]:
    per_elapsed = hms_usec(periodic.elapsed_ms)
    lines = [
        _text("Start Time  ", tab_timestamp(cumulative.since_wall)),
        _text("Last Reset Time", tab_timestamp(periodic.since_wall)),
        _text("Current Time", tab_timestamp(periodic.taken_wall)),
        CROSS_LINE,
        _HEADER,
        CROSS_LINE,
        _text_cols("Elapsed Time", per_elapsed, per_elapsed),
        f"  {pad('Call Rate', 22)} | {periodic.call_rate:8.3f} cps              "
        f"| {cumulative.call_rate:8.3f} cps             ",
        CROSS_LINE,
        _counter("Incoming calls created", "IncomingCall", periodic, cumulative),
        _counter("Outgoing calls created", "OutgoingCall", periodic, cumulative),
        f"  {pad('Total Calls created', 22)} |                           | {cumulative.total_created:>8}"
        "                 ",
        f"  {pad('Current Calls', 22)} | {cumulative.current_calls:>8}                  |"
        "                          ",
    ]
    if cumulative.layout.counter_names:
        lines.append(CROSS_LINE)
    for name, per, cum in zip(
        cumulative.layout.counter_names, periodic.user_counters, cumulative.user_counters, strict=True
    ):
        lines.append(_values(f"Counter {name}", per, cum))
    lines += [
        CROSS_LINE,
        _counter("Successful call", "SuccessfulCall", periodic, cumulative),
        _counter("Failed call", "FailedCall", periodic, cumulative),
        CROSS_LINE,
    ]
    for name, moments in zip(periodic.layout.rtd_names, periodic.rtds, strict=True):
        lines.append(_text_cols(f"Response Time {name}", _mean(moments.mean), _mean(moments.mean)))
    call_length = _mean(periodic.call_length.mean)
    lines.append(_text_cols("Call Length", call_length, call_length))
    return lines


def _info(text: str) -> str:
    return clip(f"  {pad(text, 77)}")


def _table(bounds: tuple[int, ...] | None, counts: tuple[int, ...] | None) -> list[str]:
    if bounds is None or counts is None:
        return [_info(_NO_TABLE)]
    lows = (0, *bounds[:-1])
    lines = [
        f"    {low:>10} ms <= n < {high:>10} ms : {count:>10}"
        for low, high, count in zip(lows, bounds, counts[:-1], strict=True)
    ]
    lines.append(f"    {'':>14} n >= {bounds[-1]:>10} ms : {counts[-1]:>10}")
    return [clip(line) for line in lines]


def repartition_lines(snap: StatsSnapshot, which: int) -> list[str]:
    """Repartition of RTD number `which` (1-based), plus the call lengths on the first screen."""
    layout = snap.layout
    if which > len(layout.rtd_names):
        return [_info(_NO_TABLE)]
    index = which - 1
    lines = [_info(f"Average Response Time Repartition {layout.rtd_names[index]}")]
    lines += _table(layout.rtd_bounds[index], snap.rtd_repartitions[index])
    if which == 1:
        lines.append(_info("Average Call Length Repartition"))
        lines += _table(layout.call_length_bounds, snap.call_length_repartition)
    return lines
