"""POSIX signals as SIPp handles them (reference 10.4).

SIGUSR1 asks for a graceful quit (a second one forces it, like pressing `q` twice); SIGTERM and
SIGINT leave at once through the normal exit path (final screens, statistics, exit code from the
counters); SIGPIPE is ignored. Handlers are installed before any socket is bound: a signal that
arrives before the event loop runs is kept and acted on as soon as it does.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Protocol

from sipperf.engine.event_loop import EventLoop

HANDLED = (signal.SIGUSR1, signal.SIGTERM, signal.SIGINT)


class Quittable(Protocol):
    def quit(self, graceful: bool) -> None: ...

    def stop(self) -> None: ...


class Signals:
    def __init__(self, forwarded: tuple[int, ...] = ()) -> None:
        """`forwarded`: signals another process relays to this one (a `-workers` coordinator), so
        this one ignores them when they come straight from outside (e.g. `kill -USR1 -<group>`)."""
        self.early: list[int] = []
        self.forwarded = forwarded

    def install_early(self) -> None:
        """Catch the signals from now on, before the loop exists."""
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
        for signum in HANDLED:
            signal.signal(signum, self._remember)

    def _remember(self, signum: int, frame: FrameType | None) -> None:
        self.early.append(signum)

    def hand_over(self, loop: EventLoop, engine: Quittable) -> None:
        """Deliver the signals to `engine` through the loop, including any caught early."""
        actions = {
            signal.SIGUSR1: lambda: engine.quit(True),
            signal.SIGTERM: engine.stop,
            signal.SIGINT: engine.stop,
        }
        for signum, action in actions.items():
            if signum in self.forwarded:
                signal.signal(signum, signal.SIG_IGN)
            else:
                loop.add_signal_handler(signum, action)
        for signum in self.early:
            if signum not in self.forwarded:
                loop.call_soon(actions[signum])
        self.early.clear()
