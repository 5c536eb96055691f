"""Unit tests of the UDP transport on loopback: delivery, -max_recv_loops per pass of the loop,
errors of the receiver, closing."""

import os
import socket

import pytest

from sipperf.engine.event_loop import EventLoop, running_loop
from sipperf.transport.udp import UdpTransport, bind_udp


class Receiver:
    """Records each datagram; a `snapshot` of the count is taken once the pass that delivered the
    first datagram is over."""

    def __init__(self, loop: EventLoop, expected: int, fail_on: bytes = b"") -> None:
        self.loop = loop
        self.got: list[tuple[bytes, tuple]] = []
        self.errors: list[bytes] = []
        self.first_pass: int | None = None
        self.all_in = loop.create_future()
        self.expected = expected
        self.fail_on = fail_on

    def on_datagram(self, data: bytes, addr: tuple) -> None:
        self.got.append((data, addr))
        if len(self.got) == 1:
            self.loop.call_soon(self._snapshot)
        if len(self.got) == self.expected:
            self.give_up()
        if data == self.fail_on:
            raise ValueError("bad message")

    def on_processing_error(self, err: Exception, data: bytes) -> None:
        self.errors.append(data)

    def give_up(self) -> None:
        """No more to wait for: all in, or 5 s gone (the test then fails on what it has)."""
        if not self.all_in.done():
            self.all_in.set_result(None)

    def _snapshot(self) -> None:
        self.first_pass = len(self.got)


def receive(datagrams: list[bytes], max_recv_loops: int, fail_on: bytes = b"") -> tuple[Receiver, tuple]:
    """Queue `datagrams` on a fresh transport's socket before the loop reads any, then receive them."""

    async def main() -> tuple[Receiver, tuple]:
        loop = running_loop()
        transport = UdpTransport(bind_udp("127.0.0.1", 0, socket.AF_INET, 0), max_recv_loops)
        receiver = Receiver(loop, len(datagrams), fail_on)
        transport.receiver = receiver
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
            peer.bind(("127.0.0.1", 0))
            for data in datagrams:
                peer.sendto(data, (transport.local_ip, transport.local_port))
            transport.start(loop)
            loop.call_later(5, receiver.give_up)
            await receiver.all_in
            transport.close()
            return receiver, peer.getsockname()

    return EventLoop().run(main())


def test_datagrams_reach_the_receiver_with_their_source_in_one_pass():
    datagrams = [f"message {n}".encode() for n in range(5)]
    receiver, peer = receive(datagrams, max_recv_loops=1000)
    assert receiver.got == [(data, peer) for data in datagrams]
    assert receiver.first_pass == 5


@pytest.mark.parametrize("cap", [1, 2])
def test_max_recv_loops_caps_the_datagrams_read_in_one_pass(cap):
    datagrams = [f"message {n}".encode() for n in range(5)]
    receiver, _ = receive(datagrams, max_recv_loops=cap)
    assert receiver.first_pass == cap
    assert [data for data, _ in receiver.got] == datagrams


def test_an_error_on_one_datagram_is_reported_and_the_next_is_still_received():
    receiver, _ = receive([b"one", b"two", b"three"], max_recv_loops=1000, fail_on=b"two")
    assert receiver.errors == [b"two"]
    assert [data for data, _ in receiver.got] == [b"one", b"two", b"three"]


def test_closing_releases_the_port():
    async def main() -> int:
        transport = UdpTransport(bind_udp("127.0.0.1", 0, socket.AF_INET, 0))
        loop = running_loop()
        transport.receiver = Receiver(loop, 1)
        transport.start(loop)
        transport.close()
        return transport.local_port

    port = EventLoop().run(main())
    again = bind_udp("127.0.0.1", port, socket.AF_INET, 0)
    assert again.getsockname()[1] == port
    again.close()


def proc_net_udp_drops(sock: socket.socket) -> int:
    """The `drops` column of /proc/net/udp for `sock`, found by its inode."""
    inode = str(os.fstat(sock.fileno()).st_ino)
    with open("/proc/net/udp", encoding="ascii") as table:
        for line in table:
            fields = line.split()
            if len(fields) > 12 and fields[9] == inode:
                return int(fields[-1])
    raise AssertionError("socket not in /proc/net/udp")


def test_dropped_counts_the_datagrams_the_kernel_dropped_as_proc_net_udp_does():
    sock = bind_udp("127.0.0.1", 0, socket.AF_INET, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a few datagrams fill it
    transport = UdpTransport(sock)
    assert transport.dropped() == 0
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(200):
        sender.sendto(b"x" * 1000, sock.getsockname())
    sender.close()
    drops = transport.dropped()
    assert drops > 100
    assert drops == proc_net_udp_drops(sock)
    transport.close()
    assert transport.dropped() == 0
