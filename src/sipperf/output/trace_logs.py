"""The trace files of messages, errors and `<log>` actions (`-trace_msg`, `-trace_err`,
`-trace_logs`) in SIPp's formats.

Writes are buffered and flushed by the engine's periodic hook and at exit, so tracing costs little
on the hot path while a killed run still keeps all but the last moments.
"""

from __future__ import annotations

import time
from typing import TextIO

from sipperf.timefmt import space_timestamp, tab_timestamp


def _open(path: str, overwrite: bool) -> TextIO:
    return open(path, "w" if overwrite else "a", encoding="latin-1", newline="")


class MessageLog:
    """`<scenario>_<pid>_messages.log`: every message sent and received (SIPp 3.6.1 layout)."""

    def __init__(self, path: str, transport: str, overwrite: bool = True) -> None:
        self.path = path
        self.transport = transport
        self._file = _open(path, overwrite)

    def __call__(self, direction: str, data: bytes, now_ms: float) -> None:
        if direction == "sent":
            title = f"{self.transport} message sent ({len(data)} bytes):"
        else:
            title = f"{self.transport} message received [{len(data)}] bytes :"
        self._file.write(f"{'-' * 47} {space_timestamp(time.time())}\n{title}\n\n"
                         f"{data.decode('latin-1')}\n")  # fmt: skip

    def flush(self, now_ms: float = 0.0) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class ErrorLog:
    """`<scenario>_<pid>_errors.log`: created at the first warning, one `<timestamp>: text` each."""

    def __init__(self, path: str, overwrite: bool = True) -> None:
        self.path = path
        self.overwrite = overwrite
        self._file: TextIO | None = None

    def __call__(self, text: str) -> None:
        if self._file is None:
            self._file = _open(self.path, self.overwrite)
            self._file.write("The following events occurred:\n")
        self._file.write(f"{tab_timestamp(time.time())}: {text}\n")

    def flush(self, now_ms: float = 0.0) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class ActionLog:
    """`<scenario>_<pid>_logs.log` (`-trace_logs`): one line per `<log>` action, as SIPp writes it."""

    def __init__(self, path: str, overwrite: bool = True) -> None:
        self.path = path
        self._file = _open(path, overwrite)

    def __call__(self, text: str) -> None:
        self._file.write(text + "\n")

    def flush(self, now_ms: float = 0.0) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()
