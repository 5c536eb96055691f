"""A timer wheel with one-millisecond slots, as SIPp's.

Calls ask to be woken at a time; `expire(now)` returns every call whose slot has passed. Entries
are never cancelled: a call that moved its wake-up time simply gets a new entry, and the call
ignores a wake-up that is no longer due. `next_due` tells the engine how long it may sleep;
`on_earlier` tells it when a new entry comes before the time it will look next.

The wheel is a list of WHEEL_SLOTS slots covering the next WHEEL_SLOTS ms; a slot holds its items
in a list, created when the slot is first used. Times further ahead wait in a heap of ticks and
move into the wheel as it turns. Expiring touches only the slots that passed, never a long-lived
ordered structure: a heap of every pending tick (one number object each) used to be walked on each
pass, and memory left untouched for seconds is slow to come back to on a virtual machine.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any, Final

INF: Final = float("inf")
WHEEL_SLOTS: Final = 8192  # ms the wheel covers; a power of two
_MASK: Final = WHEEL_SLOTS - 1
_UNKNOWN: Final = -1.0  # the cached earliest tick must be looked for again


class TimerWheel:
    def __init__(self, now_ms: float) -> None:
        self._wheel: list[list[Any] | None] = [None] * WHEEL_SLOTS
        self._done_tick = int(now_ms)  # every slot up to this tick has been expired
        self._far: dict[int, list[Any]] = {}  # tick -> items, beyond the wheel
        self._far_ticks: list[int] = []  # heap of the _far ticks
        self._next = INF  # the earliest tick with items, or _UNKNOWN
        self.pending = 0
        self.alarm = INF  # the time the owner will look next; earlier entries call on_earlier
        self.on_earlier: Callable[[float], None] | None = None

    def schedule(self, item: Any, at_ms: float) -> None:
        """Wake `item` at `at_ms` (at the latest one slot later)."""
        tick = int(at_ms)  # math.ceil, without a call into the math module (times are >= 0)
        if tick < at_ms:
            tick += 1
        if tick <= self._done_tick:
            tick = self._done_tick + 1
        if tick - self._done_tick < WHEEL_SLOTS:
            self._add(tick, [item])
        else:
            slot = self._far.get(tick)
            if slot is None:
                self._far[tick] = [item]
                heapq.heappush(self._far_ticks, tick)
            else:
                slot.append(item)
        self.pending += 1
        if tick < self._next:
            self._next = float(tick)
        if tick < self.alarm and self.on_earlier is not None:
            self.on_earlier(tick)

    def _add(self, tick: int, items: list[Any]) -> None:
        wheel = self._wheel
        index = tick & _MASK
        slot = wheel[index]
        if slot is None:
            wheel[index] = items
        else:
            slot.extend(items)

    def next_due(self) -> float:
        """The earliest slot with entries, or infinity."""
        if self._next != _UNKNOWN:
            return self._next
        far: float = self._far_ticks[0] if self._far_ticks else INF
        wheel = self._wheel
        tick = self._done_tick + 1
        end = self._done_tick + WHEEL_SLOTS
        while tick < end and tick < far:
            if wheel[tick & _MASK] is not None:
                self._next = float(tick)
                return self._next
            tick += 1
        self._next = float(far)
        return self._next

    def expire(self, now_ms: float, limit: int = 0) -> list[Any]:
        """Items whose time is at or before `now_ms`, in time order: all of them, or at most `limit`
        (SIPp's `-max_sched_loops`); the rest stay due for the next call."""
        now_tick = int(now_ms)
        due: list[Any] = []
        if self._next > now_tick:
            if now_tick > self._done_tick:
                self._turn_to(now_tick)
            return due
        wheel = self._wheel
        while self._done_tick < now_tick:
            tick = self._done_tick + 1
            self._turn_to(tick)
            index = tick & _MASK
            slot = wheel[index]
            if slot is None:
                continue
            wheel[index] = None
            due.extend(slot)
            if limit and len(due) > limit:  # the rest stays in this slot, first due
                wheel[index] = due[limit:]
                del due[limit:]
                self._done_tick = tick - 1
                break
        self.pending -= len(due)
        self._next = _UNKNOWN
        return due

    def _turn_to(self, tick: int) -> None:
        """Expired up to `tick`: far ticks now within the wheel's reach move into it."""
        self._done_tick = tick
        far_ticks = self._far_ticks
        reach = tick + WHEEL_SLOTS
        while far_ticks and far_ticks[0] < reach:
            far_tick = heapq.heappop(far_ticks)
            self._add(far_tick, self._far.pop(far_tick))
