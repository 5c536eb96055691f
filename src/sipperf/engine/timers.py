"""A timer wheel with one-millisecond slots.

Calls ask to be woken at a time; `expire(now)` returns every call whose slot has passed. Entries
are never cancelled: a call that moved its wake-up time simply gets a new entry, and the call
ignores a wake-up that is no longer due. Scheduling and expiry are O(1) per entry.
"""

from __future__ import annotations

import math
from typing import Any


class TimerWheel:
    def __init__(self, now_ms: float) -> None:
        self._slots: dict[int, list[Any]] = {}
        self._done_tick = int(now_ms)
        self.pending = 0

    def schedule(self, item: Any, at_ms: float) -> None:
        """Wake `item` at `at_ms` (at the latest one slot later)."""
        tick = math.ceil(at_ms)
        if tick <= self._done_tick:
            tick = self._done_tick + 1
        slot = self._slots.get(tick)
        if slot is None:
            self._slots[tick] = [item]
        else:
            slot.append(item)
        self.pending += 1

    def expire(self, now_ms: float) -> list[Any]:
        """Every item whose time is at or before `now_ms`, in time order."""
        now_tick = int(now_ms)
        if now_tick <= self._done_tick or not self.pending:
            self._done_tick = max(self._done_tick, now_tick)
            return []
        due: list[Any] = []
        slots = self._slots
        if now_tick - self._done_tick > len(slots):
            ticks = sorted(t for t in slots if t <= now_tick)
        else:
            ticks = [t for t in range(self._done_tick + 1, now_tick + 1) if t in slots]
        for tick in ticks:
            due.extend(slots.pop(tick))
        self._done_tick = now_tick
        self.pending -= len(due)
        return due
