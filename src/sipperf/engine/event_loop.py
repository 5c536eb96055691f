"""The event loop a run waits in: one epoll set, a heap of timers, coroutines on its own futures.

A run waits on a handful of descriptors (its UDP socket, the terminal, a worker's pipes, the
signal wake-up socket) and a few timers (the engine's next pass, the global timeout, periodic
ticks). This loop does that and nothing else: a ready descriptor's reader is called straight from
epoll's answer, timers are a heap of handles, and the coroutines that run a process (`serve`, the
workers' coordinator) are driven by the loop's own futures. Its interface is the part of asyncio's
loop that sipperf uses, under the same names. asyncio itself is not imported: it (and uvloop on
top of it) was 40% of the CPU a run spent starting, about 50 ms.
"""

from __future__ import annotations

import heapq
import select
import signal
import socket
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Final

_monotonic: Final = time.monotonic
MAX_EVENTS: Final = 64  # descriptors reported by one epoll wait; the rest come in the next one


class Handle:
    """A callback the loop runs: soon, at a time (`when`), on a readable descriptor or a signal."""

    def __init__(self, when: float, callback: Callable[..., object], args: tuple) -> None:
        self._when = when
        self._callback = callback
        self._args = args
        self._cancelled = False

    def when(self) -> float:
        return self._when

    def cancel(self) -> None:
        self._cancelled = True

    def cancelled(self) -> bool:
        return self._cancelled

    def __lt__(self, other: Handle) -> bool:
        return self._when < other._when

    def run(self) -> None:
        """Run the callback; an exception is reported on stderr and the loop goes on (as asyncio)."""
        try:
            self._callback(*self._args)
        except Exception:
            print(f"Exception in callback {self._callback!r}", file=sys.stderr)
            traceback.print_exc()


class Future:
    """A result a coroutine can await: set once, then its done-callbacks run on the loop."""

    def __init__(self, loop: EventLoop) -> None:
        self._loop = loop
        self._done = False
        self._result: Any = None
        self._exception: BaseException | None = None
        self._callbacks: list[Callable[[Future], object]] = []

    def done(self) -> bool:
        return self._done

    def result(self) -> Any:
        if not self._done:
            raise RuntimeError("the future has no result yet")
        if self._exception is not None:
            raise self._exception
        return self._result

    def set_result(self, value: Any) -> None:
        self._settle(value, None)

    def set_exception(self, exc: BaseException) -> None:
        self._settle(None, exc)

    def _settle(self, value: Any, exc: BaseException | None) -> None:
        if self._done:
            raise RuntimeError("the future is already done")
        self._done, self._result, self._exception = True, value, exc
        for callback in self._callbacks:
            self._loop.call_soon(callback, self)
        self._callbacks.clear()

    def add_done_callback(self, callback: Callable[[Future], object]) -> None:
        if self._done:
            self._loop.call_soon(callback, self)
        else:
            self._callbacks.append(callback)

    def __await__(self) -> Generator[Future, None, Any]:
        if not self._done:
            yield self
        return self.result()


class Task(Future):
    """A coroutine driven by the loop: resumed each time the future it awaits is done."""

    def __init__(self, loop: EventLoop, coro: Coroutine[Future, None, Any]) -> None:
        super().__init__(loop)
        self._coro = coro
        loop.call_soon(self._step, None)

    def _step(self, _awaited: Future | None) -> None:
        try:
            awaited = self._coro.send(None)
        except StopIteration as stop:
            self.set_result(stop.value)
        except BaseException as err:  # the loop's run() raises it
            self.set_exception(err)
        else:
            awaited.add_done_callback(self._step)


def _ignore_signal(signum: int, frame: object) -> None:
    """The Python-level handler of a signal the loop handles: the C-level one has already written
    the signal's number to the loop's wake-up socket."""


class EventLoop:
    """One process's loop. `run(main)` runs the coroutine `main` to its end, then closes."""

    def __init__(self) -> None:
        self._epoll = select.epoll()
        self._readers: dict[int, Handle] = {}
        self._timers: list[Handle] = []
        self._ready: deque[Handle] = deque()
        self._signal_handlers: dict[int, Handle] = {}
        self._wakeup: tuple[socket.socket, socket.socket] | None = None
        self._closed = False

    # -- scheduling --------------------------------------------------------------------------
    def time(self) -> float:
        return _monotonic()

    def call_soon(self, callback: Callable[..., object], *args: Any) -> Handle:
        handle = Handle(0.0, callback, args)
        self._ready.append(handle)
        return handle

    def call_later(self, delay: float, callback: Callable[..., object], *args: Any) -> Handle:
        return self.call_at(_monotonic() + delay, callback, *args)

    def call_at(self, when: float, callback: Callable[..., object], *args: Any) -> Handle:
        handle = Handle(when, callback, args)
        heapq.heappush(self._timers, handle)
        return handle

    def create_future(self) -> Future:
        return Future(self)

    async def sleep(self, delay: float) -> None:
        done = Future(self)
        self.call_later(delay, done.set_result, None)
        await done

    # -- descriptors and signals -------------------------------------------------------------
    def add_reader(self, fd: int, callback: Callable[..., object], *args: Any) -> None:
        if fd not in self._readers:
            self._epoll.register(fd, select.EPOLLIN)
        self._readers[fd] = Handle(0.0, callback, args)

    def remove_reader(self, fd: int) -> bool:
        if self._readers.pop(fd, None) is None:
            return False
        try:
            self._epoll.unregister(fd)
        except OSError:  # already closed: the kernel has taken it out of the set
            pass
        return True

    def add_signal_handler(self, signum: int, callback: Callable[..., object], *args: Any) -> None:
        """Run `callback` on the loop when `signum` arrives (main thread only, as asyncio)."""
        if self._wakeup is None:
            receive, send = socket.socketpair()
            receive.setblocking(False)
            send.setblocking(False)
            signal.set_wakeup_fd(send.fileno())
            self._wakeup = (receive, send)
            self.add_reader(receive.fileno(), self._read_signals)
        self._signal_handlers[signum] = Handle(0.0, callback, args)
        signal.signal(signum, _ignore_signal)

    def _read_signals(self) -> None:
        assert self._wakeup is not None
        receive = self._wakeup[0]
        while True:
            try:
                data = receive.recv(4096)
            except InterruptedError:
                continue
            except OSError:  # BlockingIOError: all read
                return
            for signum in data:
                handle = self._signal_handlers.get(signum)
                if handle is not None:
                    self._ready.append(handle)

    # -- running -----------------------------------------------------------------------------
    def is_closed(self) -> bool:
        return self._closed

    def run(self, main: Coroutine[Future, None, Any]) -> Any:
        """Run `main` until it returns (its value) or raises (raised here); then close the loop."""
        global _running
        if _running is not None:
            raise RuntimeError("an event loop is already running")
        _running = self
        task = Task(self, main)
        try:
            while not task.done():
                self._run_once()
        finally:
            _running = None
            self.close()
        return task.result()

    def _run_once(self) -> None:
        """Wait for a descriptor or the next timer; run the readers, then what is due."""
        ready = self._ready
        timers = self._timers
        while timers and timers[0]._cancelled:
            heapq.heappop(timers)
        timeout = -1.0
        if ready:
            timeout = 0.0
        elif timers:
            timeout = max(timers[0]._when - _monotonic(), 0.0)
        events = self._epoll.poll(timeout, MAX_EVENTS)
        readers = self._readers
        for fd, _mask in events:
            reader = readers.get(fd)
            if reader is not None:
                reader.run()
        if timers:
            now = _monotonic()
            while timers and timers[0]._when <= now:
                handle = heapq.heappop(timers)
                if not handle._cancelled:
                    ready.append(handle)
        for _ in range(len(ready)):
            handle = ready.popleft()
            if not handle._cancelled:
                handle.run()

    def close(self) -> None:
        """Give back the signals (their default actions, as asyncio) and the descriptors."""
        if self._closed:
            return
        self._closed = True
        for signum in self._signal_handlers:
            signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        self._signal_handlers.clear()
        if self._wakeup is not None:
            signal.set_wakeup_fd(-1)
            for sock in self._wakeup:
                sock.close()
            self._wakeup = None
        self._epoll.close()
        self._readers.clear()
        self._timers.clear()
        self._ready.clear()


_running: EventLoop | None = None


def running_loop() -> EventLoop:
    """The loop running now (asyncio's get_running_loop)."""
    if _running is None:
        raise RuntimeError("no running event loop")
    return _running


def run(main: Coroutine[Future, None, Any]) -> Any:
    """Run the coroutine `main` on a new loop (asyncio.run)."""
    return EventLoop().run(main)
