"""`-tdmmap {x-x'}{h}{y-y'}{z-z'}` and `[tdmmap]`: SIPp's table of TDM circuits, one per call.

`TdmMap` is the parsed option (the geometry and how a circuit renders); `Circuits` is the run's table
of busy circuits. Both follow SIPp 3.6.1 to the letter, quirks included: a circuit number is 1-based
and rendered as is (so `{0-0}{7}{0-0}{1-3}` gives `0.7.0/2`, `0.7.0/3`, `0.7.0/1` for circuits 1, 2,
3), the search for a free circuit starts at a random one, and a call that ends frees the slot *after*
its own, so circuits leak and calls eventually fail with "all tdm_map circuits busy".
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from sipperf.errors import EXIT_FAILED_CALLS, FatalError

# SIPp's sscanf("{%d-%d}{%d}{%d-%d}{%d-%d}"): %d skips leading white space; text after is ignored.
_INT = r"\s*([+-]?\d+)"
_FORMAT = re.compile(rf"\{{{_INT}-{_INT}\}}\{{{_INT}\}}\{{{_INT}-{_INT}\}}\{{{_INT}-{_INT}\}}")
_UINT = 2**32  # SIPp computes the search position in unsigned int


@dataclass(frozen=True, slots=True)
class TdmMap:
    """The circuits `x.h.y/z` of `-tdmmap`: x in [x, x+a], the fixed h, y in [y, y+b], z in [z, z+c]."""

    x: int
    a: int
    h: int
    y: int
    b: int
    z: int
    c: int

    @classmethod
    def parse(cls, text: str) -> TdmMap:
        """The option's value; SIPp's fatal error (exit 1) when it is not of the form, and also
        for a range that runs backwards (which SIPp takes, to wrap around in unsigned int)."""
        match = _FORMAT.match(text)
        numbers = [int(group) for group in match.groups()] if match else []
        if not match or numbers[1] < numbers[0] or numbers[4] < numbers[3] or numbers[6] < numbers[5]:
            raise FatalError("Parameter -tdmmap must be of form {%d-%d}{%d}{%d-%d}{%d-%d}", EXIT_FAILED_CALLS)
        x1, x2, h, y1, y2, z1, z2 = numbers
        return cls(x1, x2 - x1, h, y1, y2 - y1, z1, z2 - z1)

    @property
    def size(self) -> int:
        return (self.a + 1) * (self.b + 1) * (self.c + 1)

    def label(self, number: int) -> str:
        """`[tdmmap]` of circuit `number` (SIPp's formula, applied to the 1-based number)."""
        b1, c1 = self.b + 1, self.c + 1
        x = self.x + number // (b1 * c1) % (self.a + 1)
        return f"{x}.{self.h}.{self.y + number // c1 % b1}/{self.z + number % c1}"


class Circuits:
    """The busy circuits of a run: `take` one for a new call, `release` it when the call ends."""

    __slots__ = ("busy", "size")

    def __init__(self, tdm: TdmMap) -> None:
        self.size = tdm.size
        self.busy = bytearray(self.size + 1)  # + 1: the slot `release` of the last circuit frees

    def take(self) -> int:
        """A free circuit's number (1-based), now busy; 0 when none is found. The search starts one
        before a random slot, in unsigned arithmetic, as SIPp's get_tdm_map_number: from slot 0 it
        starts at (2**32 - 1) % size, so it may miss the last slot."""
        size, busy = self.size, self.busy
        start = random.randrange(size)
        for i in range(size):
            slot = (start + i - 1) % _UINT % size
            if not busy[slot]:
                busy[slot] = 1
                return slot + 1
        return 0

    def release(self, number: int) -> None:
        """What SIPp's call destructor frees: slot `number`, the one after the call's circuit."""
        self.busy[number] = 0
