"""Call-rate pacing as a pure function of time (SIPp reference 9.2).

The k-th call after the last rate change is due at `origin + k * period / rate`. Calls that could
not be placed (the -l limit) are not made up later: the schedule keeps running.
"""

from __future__ import annotations


class RatePacer:
    def __init__(self, rate: float, period_ms: float, now_ms: float) -> None:
        self.period_ms = period_ms
        self.rate = 0.0
        self.origin = now_ms
        self.issued = 0
        self.set_rate(rate, now_ms)

    def set_rate(self, rate: float, now_ms: float) -> None:
        """Change the rate; the schedule restarts from `now_ms` (no catch-up burst)."""
        self.rate = max(rate, 0.0)
        self.origin = now_ms
        self.issued = 0

    def due(self, now_ms: float) -> int:
        """How many calls are due at `now_ms` and not yet issued; marks them issued."""
        if self.rate <= 0:
            return 0
        total = int((now_ms - self.origin) * self.rate / self.period_ms)
        count = total - self.issued
        if count <= 0:
            return 0
        self.issued = total
        return count

    def next_due_ms(self) -> float:
        """When the next call is due (for sleeping until then)."""
        if self.rate <= 0:
            return float("inf")
        return self.origin + (self.issued + 1) * self.period_ms / self.rate
