"""UDP with one socket for all calls (`-t u1`): bind as SIPp does, send, hand datagrams on.

SIPp's port rule: `-p` exactly (EADDRINUSE -> exit 254), otherwise the first free port of
5060..5119, otherwise one the OS chooses. Every received datagram goes straight to the receiver.
"""

from __future__ import annotations

import errno
import socket
import sys
from typing import Final, Protocol

from sipperf.engine.event_loop import EventLoop
from sipperf.errors import EXIT_BIND, EXIT_FATAL, FatalError

DEFAULT_PORTS: Final = range(5060, 5120)
MAX_DATAGRAM: Final = 65535
SO_MEMINFO: Final = 55  # Linux: the socket's memory counters, u32 each (sock_diag's SK_MEMINFO_*)
MEMINFO_SIZE: Final = 9 * 4  # up to SK_MEMINFO_DROPS, the last of them
MEMINFO_DROPS: Final = 8 * 4  # its offset


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


class UdpTransport:
    """The main UDP socket. `send` never blocks; errors are counted, not raised.

    Receiving is a reader on the event loop: when the socket is readable it reads datagrams until
    none is left or SIPp's `-max_recv_loops` are read, and each goes straight to the receiver.
    Sending is a plain `sendto` on the same socket."""

    name = "UDP"

    def __init__(self, sock: socket.socket, max_recv_loops: int = 1000) -> None:
        self.sock = sock
        self.receiver: Receiver | None = None  # set before start()
        self.local_ip, self.local_port = sock.getsockname()[:2]
        self.max_recv_loops = max(1, max_recv_loops)
        self.send_errors = 0
        self.recv_errors = 0
        self.congestion = 0
        self._loop: EventLoop | None = None
        self._closed = False

    def start(self, loop: EventLoop) -> None:
        self._loop = loop
        loop.add_reader(self.sock.fileno(), self._readable)

    def _readable(self) -> None:
        """Read what the socket holds, up to -max_recv_loops datagrams; each goes to the receiver."""
        receiver = self.receiver
        assert receiver is not None
        recvfrom = self.sock.recvfrom
        for _ in range(self.max_recv_loops):
            try:
                data, addr = recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # an error reported on the socket (e.g. ICMP port unreachable): counted
                self.recv_errors += 1
                continue
            try:
                receiver.on_datagram(data, addr)
            except Exception as err:  # a message must never stop the run: report it and go on
                receiver.on_processing_error(err, data)

    def send(self, data: bytes, addr: tuple) -> bool:
        if self._closed:
            self.send_errors += 1
            return False
        try:
            self.sock.sendto(data, addr)
        except BlockingIOError:
            self.congestion += 1
            return False
        except OSError:
            self.send_errors += 1
            return False
        return True

    def dropped(self) -> int:
        """Datagrams the kernel dropped because this socket's receive buffer was full: the socket's
        own counter (Linux SO_MEMINFO, the `drops` of /proc/net/udp); 0 where it has none. One
        system call: reading /proc/net/udp once a second cost 1-2 ms of CPU each time here."""
        if self._closed:
            return 0
        try:
            counters = self.sock.getsockopt(socket.SOL_SOCKET, SO_MEMINFO, MEMINFO_SIZE)
        except OSError:
            return 0
        if len(counters) < MEMINFO_SIZE:
            return 0
        return int.from_bytes(counters[MEMINFO_DROPS : MEMINFO_DROPS + 4], sys.byteorder)

    @property
    def open_sockets(self) -> int:
        return 0 if self._closed else 1

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.remove_reader(self.sock.fileno())
        self.sock.close()
