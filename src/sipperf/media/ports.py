"""The media ports SIPp 3.6.1 binds at start-up: an audio port and the video port two above it.

Binding them reserves the port that `[media_port]` shows, so two instances on one host offer
different ports, as SIPp's do: without -mp the pair 6000/6002 is tried, then 6002/6004 ... up to
100 times; with -mp only the given pair.
"""

from __future__ import annotations

import errno
import socket

from sipperf.errors import EXIT_BIND, EXIT_FATAL, FatalError

TRIES = 100


def bind_media_ports(ip: str, first_port: int, fixed: bool) -> tuple[int, list[socket.socket]]:
    """Bind `port` and `port + 2` on `ip`; returns the audio port and the open sockets."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    port = first_port
    last_error: OSError | None = None
    for _ in range(1 if fixed else TRIES):
        opened: list[socket.socket] = []
        try:
            for candidate in (port, port + 2):
                sock = socket.socket(family, socket.SOCK_DGRAM)
                opened.append(sock)
                sock.bind((ip, candidate))
            return port, opened
        except OSError as err:
            last_error = err
            for sock in opened:
                sock.close()
            port += 2
    assert last_error is not None
    code = EXIT_BIND if last_error.errno == errno.EADDRINUSE else EXIT_FATAL
    raise FatalError(f"Unable to bind audio RTP socket (IP={ip}, port={port - 2}), errno = "
                     f"{last_error.errno} ({last_error.strerror})", code)  # fmt: skip
