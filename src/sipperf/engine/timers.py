"""A timer wheel with one-millisecond slots.

Calls ask to be woken at a time; `expire(now)` returns every call whose slot has passed. Entries
are never cancelled: a call that moved its wake-up time simply gets a new entry, and the call
ignores a wake-up that is no longer due. A heap of occupied slots gives the next due time, so the
engine can sleep until then; `on_earlier` tells it when a new entry comes before that.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from typing import Any

INF = float("inf")


class TimerWheel:
    def __init__(self, now_ms: float) -> None:
        self._slots: dict[int, list[Any]] = {}
        self._ticks: list[int] = []
        self._done_tick = int(now_ms)
        self.pending = 0
        self.alarm = INF  # the time the owner will look next; earlier entries call on_earlier
        self.on_earlier: Callable[[float], None] | None = None

    def schedule(self, item: Any, at_ms: float) -> None:
        """Wake `item` at `at_ms` (at the latest one slot later)."""
        tick = math.ceil(at_ms)
        if tick <= self._done_tick:
            tick = self._done_tick + 1
        slot = self._slots.get(tick)
        if slot is None:
            self._slots[tick] = [item]
            heapq.heappush(self._ticks, tick)
        else:
            slot.append(item)
        self.pending += 1
        if tick < self.alarm and self.on_earlier is not None:
            self.on_earlier(tick)

    def next_due(self) -> float:
        """The earliest slot with entries, or infinity."""
        return self._ticks[0] if self._ticks else INF

    def expire(self, now_ms: float, limit: int = 0) -> list[Any]:
        """Items whose time is at or before `now_ms`, in time order: all of them, or at most `limit`
        (SIPp's `-max_sched_loops`); the rest stay due for the next call."""
        now_tick = int(now_ms)
        if now_tick > self._done_tick:
            self._done_tick = now_tick
        ticks = self._ticks
        if not ticks or ticks[0] > now_tick:
            return []
        due: list[Any] = []
        slots = self._slots
        while ticks and ticks[0] <= now_tick:
            tick = heapq.heappop(ticks)
            due.extend(slots.pop(tick))
            if limit and len(due) > limit:  # the rest goes back in the slot just emptied: first due
                slots[tick] = due[limit:]
                heapq.heappush(ticks, tick)
                del due[limit:]
                break
        self.pending -= len(due)
        return due
