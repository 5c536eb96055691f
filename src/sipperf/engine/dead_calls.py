"""Calls that ended less than `-deadcall_wait` ago: their late messages are counted, not answered.

SIPp keeps a dead call for `-deadcall_wait` ms after it ends, and each message that arrives for it
starts that time again. Every ended call lands here, so an entry costs no object of its own: the
table maps the Call-ID to its expiry time, a failed call's index sits in a second table (a load
test's calls mostly succeed), and the expiry queue holds Call-IDs in the order the calls ended.
Entries are made in time order with one wait, so the queue's head expires first; an entry whose
time was started again stays at the head until it expires, and what queued behind it is forgotten
then (the time check on lookup keeps the answer exact meanwhile).
"""

from __future__ import annotations

from collections import deque


class DeadCalls:
    """Call-ID -> expiry (ms), with SIPp's description of how each call ended."""

    def __init__(self, wait_ms: float) -> None:
        self.wait_ms = wait_ms
        self._until: dict[str, float] = {}
        self._failed_at: dict[str, int] = {}  # the scenario index a failed call ended at
        self._queue: deque[str] = deque()

    def __len__(self) -> int:
        return len(self._until)

    def add(self, call_id: str, failed_at: int | None, now: float) -> None:
        """A call ended at `now`: successful (`failed_at` None) or failed at that scenario index."""
        if self.wait_ms <= 0:
            return
        self._until[call_id] = now + self.wait_ms
        if failed_at is not None:
            self._failed_at[call_id] = failed_at
        elif self._failed_at:
            self._failed_at.pop(call_id, None)
        self._queue.append(call_id)

    def touch(self, call_id: str, now: float) -> str | None:
        """A message for `call_id` at `now`: None if it is no dead call; else how the call ended
        ("successful", "failed at index N"), and its time starts again."""
        until = self._until.get(call_id)
        if until is None or until <= now:
            return None
        self._until[call_id] = now + self.wait_ms
        failed_at = self._failed_at.get(call_id)
        return "successful" if failed_at is None else f"failed at index {failed_at}"

    def sweep(self, now: float) -> None:
        """Forget the dead calls whose time is up; cost proportional to what expired."""
        queue = self._queue
        until = self._until
        while queue:
            call_id = queue[0]
            expiry = until.get(call_id)
            if expiry is not None and expiry > now:
                return
            queue.popleft()
            if expiry is not None:
                del until[call_id]
                self._failed_at.pop(call_id, None)
