"""The keyboard commands of SIPp's screen (reference 10.2), read only when stdin is a terminal.

`1`-`9` change the screen, `+ - * /` change the rate by 1x or 10x `-rate_scale`, `p` pauses and
resumes call creation, `q` quits gracefully (twice forces), `Q` forces. Key handling is a plain
method so it can be tested without a terminal; `attach` wires it to the event loop in cbreak mode
and `detach` restores the terminal.
"""

from __future__ import annotations

import os
import sys
import termios
import tty
from collections.abc import Callable
from typing import Protocol

from sipperf.engine.event_loop import EventLoop


class Controllable(Protocol):
    paused: bool

    def quit(self, graceful: bool) -> None: ...

    def current_rate(self) -> float: ...

    def set_rate(self, rate: float) -> None: ...

    def set_paused(self, paused: bool) -> None: ...


class Keyboard:
    def __init__(self, engine: Controllable, rate_scale: float, show_screen: Callable[[int], None],
                 client: bool) -> None:  # fmt: skip
        self.engine = engine
        self.rate_scale = rate_scale
        self.show_screen = show_screen
        self.client = client
        self._fd: int | None = None
        self._saved: list | None = None

    def handle(self, key: str) -> None:
        """Act on one key press."""
        engine = self.engine
        if key.isdigit() and key != "0":
            self.show_screen(int(key))
        elif key in "+-*/" and self.client:
            step = self.rate_scale * (10 if key in "*/" else 1)
            rate = engine.current_rate() + (step if key in "+*" else -step)
            engine.set_rate(max(rate, 0.0))
        elif key == "p" and self.client:
            engine.set_paused(not engine.paused)
        elif key == "q":
            engine.quit(graceful=True)
        elif key == "Q":
            engine.quit(graceful=False)

    def attach(self, loop: EventLoop) -> None:
        """Read keys from stdin when it is a terminal; otherwise do nothing."""
        if not sys.stdin.isatty():
            return
        fd = sys.stdin.fileno()
        self._saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
        self._fd = fd
        loop.add_reader(fd, self._on_input)

    def _on_input(self) -> None:
        assert self._fd is not None
        for key in os.read(self._fd, 64).decode("latin-1"):
            self.handle(key)

    def detach(self, loop: EventLoop) -> None:
        if self._fd is None:
            return
        loop.remove_reader(self._fd)
        if self._saved is not None:
            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
        self._fd = None
