"""POSIX signals as SIPp handles them (reference 10.4).

SIGUSR1 asks for a graceful quit (a second one forces it, like pressing `q` twice); SIGTERM and
SIGINT leave at once through the normal exit path (final screens, statistics, exit code from the
counters); SIGPIPE is ignored.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Protocol


class Quittable(Protocol):
    def quit(self, graceful: bool) -> None: ...

    def stop(self) -> None: ...


def install_signal_handlers(loop: asyncio.AbstractEventLoop, engine: Quittable) -> None:
    loop.add_signal_handler(signal.SIGUSR1, engine.quit, True)
    loop.add_signal_handler(signal.SIGTERM, engine.stop)
    loop.add_signal_handler(signal.SIGINT, engine.stop)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
