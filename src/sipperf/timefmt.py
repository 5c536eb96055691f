"""SIPp's time formats, shared by the screens, the trace files and the fatal-error messages."""

from __future__ import annotations

import time


def tab_timestamp(epoch: float) -> str:
    """`YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu<TAB>EPOCH.uuuuuu` in local time (stat CSV, screens, errors)."""
    secs = int(epoch)
    usec = int(round((epoch - secs) * 1_000_000))
    if usec >= 1_000_000:
        secs, usec = secs + 1, usec - 1_000_000
    tm = time.localtime(secs)
    return f"{time.strftime('%Y-%m-%d', tm)}\t{time.strftime('%H:%M:%S', tm)}.{usec:06d}\t{secs}.{usec:06d}"


def space_timestamp(epoch: float) -> str:
    """`YYYY-MM-DD HH:MM:SS.uuuuuu` in local time (message log headers)."""
    secs = int(epoch)
    usec = min(int(round((epoch - secs) * 1_000_000)), 999_999)
    return f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(secs))}.{usec:06d}"


def hms(ms: float) -> str:
    """Whole seconds as `HH:MM:SS` (ElapsedTime columns)."""
    secs = int(ms // 1000)
    return f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}"


def hms_usec(ms: float) -> str:
    """`HH:MM:SS:uuuuuu` where the last field is the sub-second part in microseconds (durations)."""
    total_us = int(round(ms * 1000))
    secs, us = divmod(total_us, 1_000_000)
    return f"{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}:{us:06d}"


def time_string(ms: float) -> str:
    """A duration as SIPp shows pause lengths: `0ms`, `4000ms`, `12.50ms`, `15.0s`, `1:05`, `2:00:00`."""
    if ms < 10000:
        if int(ms + 0.9999) == int(ms):
            return f"{int(ms)}ms"
        return f"{ms:.2f}ms" if ms < 1000 else f"{ms:.1f}ms"
    if ms < 60000:
        return f"{ms / 1000:.1f}s"
    secs = int(ms / 1000)
    if ms < 3600000:
        return f"{secs // 60}:{secs % 60:02d}"
    return f"{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}"
