"""UDP with one socket for all calls (`-t u1`): bind as SIPp does, send, hand datagrams on.

SIPp's port rule: `-p` exactly (EADDRINUSE -> exit 254), otherwise the first free port of
5060..5119, otherwise one the OS chooses. Every received datagram goes straight to the receiver.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Protocol

from sipperf.errors import EXIT_BIND, EXIT_FATAL, FatalError

DEFAULT_PORTS = range(5060, 5120)


def bind_udp(ip: str, port: int, family: int, buff_size: int, reuse_port: bool = False) -> socket.socket:
    """A non-blocking UDP socket bound by SIPp's rules; FatalError (254/255) when it cannot be.
    With `reuse_port`, other sockets of this user may bind the same port (SO_REUSEPORT)."""
    candidates = [port] if port else [*DEFAULT_PORTS, 0]
    last_error: OSError | None = None
    for candidate in candidates:
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if buff_size:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, buff_size)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buff_size)
            sock.bind((ip, candidate))
        except OSError as err:
            sock.close()
            last_error = err
            continue
        sock.setblocking(False)
        return sock
    assert last_error is not None
    code = EXIT_BIND if last_error.errno == errno.EADDRINUSE else EXIT_FATAL
    raise FatalError(f"Unable to bind main socket, errno = {last_error.errno} ({last_error.strerror})", code)


class Receiver(Protocol):
    """Where received datagrams go (the engine)."""

    def on_datagram(self, data: bytes, addr: tuple) -> None: ...

    def on_processing_error(self, err: Exception, data: bytes) -> None: ...


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, owner: UdpTransport) -> None:
        self.owner = owner

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop may deliver datagrams already queued before create_datagram_endpoint returns:
        # the replies to them must be sendable by then
        self.owner._transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        receiver = self.owner.receiver
        try:
            receiver.on_datagram(data, addr)
        except Exception as err:  # a message must never stop the run: report it and go on
            receiver.on_processing_error(err, data)

    def error_received(self, exc: Exception) -> None:
        self.owner.recv_errors += 1


class UdpTransport:
    """The main UDP socket. `send` never blocks; errors are counted, not raised."""

    name = "UDP"

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.receiver: Receiver | None = None  # set before start()
        self.local_ip, self.local_port = sock.getsockname()[:2]
        self.send_errors = 0
        self.recv_errors = 0
        self.congestion = 0
        self._transport: asyncio.DatagramTransport | None = None
        self._closed = False

    async def start(self, loop: asyncio.AbstractEventLoop) -> None:
        await loop.create_datagram_endpoint(lambda: _Protocol(self), sock=self.sock)

    def send(self, data: bytes, addr: tuple) -> bool:
        transport = self._transport
        if transport is None or transport.is_closing():
            self.send_errors += 1
            return False
        try:
            transport.sendto(data, addr)
        except OSError:
            self.send_errors += 1
            return False
        return True

    @property
    def open_sockets(self) -> int:
        return 0 if self._closed else 1

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._transport is not None:
            self._transport.close()
        else:
            self.sock.close()
