"""SIPp's call numbers and the -m budget: 1, 2, 3... up to -m, then none.

One engine counts in a plain attribute. Worker processes share one counter in shared memory behind
a lock (`workers.py` passes them in), so the whole run hands out each number once and stops at -m
calls in total, whichever worker places or answers them.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Counter(Protocol):
    value: int


class _LocalCounter:
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class CallNumbers:
    """Hands out call numbers up to `limit` (-m; None = no limit)."""

    def __init__(self, limit: int | None, counter: Counter | None = None,
                 lock: AbstractContextManager | None = None) -> None:  # fmt: skip
        self.limit = limit
        self._counter: Counter = counter if counter is not None else _LocalCounter()
        self._lock = lock  # None: this process alone counts
        self._init_reserved = False

    def reserve_init(self) -> int:
        """Number 1 for the scenario's `<init>` call, which is not one of the -m calls: those are
        numbered from 2. Done once, before any call (the coordinator of workers does it before
        forking them, so the workers inherit it); later calls return 1 again and change nothing."""
        if not self._init_reserved:
            self._init_reserved = True
            with self._lock or nullcontext():
                self._counter.value = max(self._counter.value, 1)
            if self.limit is not None:
                self.limit += 1
        return 1

    def take(self) -> int | None:
        """The next call number; None once the last one (-m) has been taken. Alone, no lock: its
        context-manager calls would be the only interpreted code of placing a call."""
        if self._lock is None:
            return self._next()
        with self._lock:
            return self._next()

    def _next(self) -> int | None:
        number = self._counter.value + 1
        if self.limit is not None and number > self.limit:
            return None
        self._counter.value = number
        return number

    def used_up(self) -> bool:
        return self.limit is not None and self._counter.value >= self.limit
