"""Unit tests of sipperf's event loop: order of callbacks, timers and their cancelling, readers,
signals, futures awaited by coroutines, errors, closing."""

import os
import signal
import socket
import time

import pytest

from sipperf.engine.event_loop import EventLoop, Future, run, running_loop


def test_callbacks_run_in_order_and_timers_at_their_time():
    seen: list[tuple[str, float]] = []

    async def main() -> str:
        loop = running_loop()
        start = loop.time()
        done = loop.create_future()
        loop.call_later(0.020, lambda: (seen.append(("late", loop.time() - start)), done.set_result("ok")))
        loop.call_later(0.005, lambda: seen.append(("early", loop.time() - start)))
        loop.call_soon(lambda tag: seen.append((tag, loop.time() - start)), "soon")
        return await done

    assert run(main()) == "ok"
    assert [tag for tag, _ in seen] == ["soon", "early", "late"]
    assert seen[1][1] >= 0.005 and seen[2][1] >= 0.020
    assert seen[2][1] < 0.5


def test_a_cancelled_timer_never_runs_nor_keeps_the_loop_waiting():
    fired: list[str] = []

    async def main() -> float:
        loop = running_loop()
        handle = loop.call_later(30, fired.append, "cancelled")
        assert handle.when() == pytest.approx(loop.time() + 30, abs=0.01)
        handle.cancel()
        start = time.monotonic()
        await loop.sleep(0.01)
        return time.monotonic() - start

    waited = run(main())
    assert fired == []
    assert 0.01 <= waited < 1


def test_a_reader_is_called_while_its_descriptor_is_readable_and_not_once_removed():
    async def main() -> list[bytes]:
        loop = running_loop()
        ours, theirs = socket.socketpair()
        ours.setblocking(False)
        got: list[bytes] = []
        done = loop.create_future()

        def readable(tag: str) -> None:
            got.append(ours.recv(100))
            if len(got) == 2:
                loop.remove_reader(ours.fileno())
                done.set_result(None)
            else:
                theirs.send(b"second")

        loop.add_reader(ours.fileno(), readable, "tag")
        theirs.send(b"first")
        await done
        theirs.send(b"third")  # no reader any more: stays queued
        await loop.sleep(0.01)
        assert not loop.remove_reader(ours.fileno())
        assert ours.recv(100) == b"third"
        ours.close()
        theirs.close()
        return got

    assert run(main()) == [b"first", b"second"]


def test_a_signal_runs_its_handler_on_the_loop_and_closing_gives_the_default_back():
    async def main() -> list[str]:
        loop = running_loop()
        got: list[str] = []
        done = loop.create_future()
        loop.add_signal_handler(signal.SIGUSR2, lambda: (got.append("usr2"), done.set_result(None)))
        loop.call_soon(os.kill, os.getpid(), signal.SIGUSR2)
        await done
        return got

    before = signal.getsignal(signal.SIGUSR2)
    try:
        assert run(main()) == ["usr2"]
        assert signal.getsignal(signal.SIGUSR2) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGUSR2, before)


def test_an_exception_in_a_callback_is_reported_and_the_loop_goes_on(capsys):
    async def main() -> str:
        loop = running_loop()
        loop.call_soon(lambda: 1 / 0)
        await loop.sleep(0)
        return "still running"

    assert run(main()) == "still running"
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_the_main_coroutine_s_exception_is_raised_by_run_and_the_loop_closed():
    loop = EventLoop()

    async def main() -> None:
        failing: Future = running_loop().create_future()
        running_loop().call_soon(failing.set_exception, ValueError("wrong"))
        await failing

    with pytest.raises(ValueError, match="wrong"):
        loop.run(main())
    assert loop.is_closed()
    with pytest.raises(RuntimeError):
        running_loop()


def test_a_future_is_set_once():
    loop = EventLoop()
    future = loop.create_future()
    with pytest.raises(RuntimeError):
        future.result()
    future.set_result(1)
    with pytest.raises(RuntimeError):
        future.set_result(2)
    assert future.done() and future.result() == 1
    loop.close()
