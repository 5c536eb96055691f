"""The trace files of messages, errors and `<log>` actions (`-trace_msg`, `-trace_err`,
`-trace_logs`) in SIPp's formats.

Records are kept in memory and written by `flush` (the engine's periodic hook, and at exit), each
flush one `write` on a file opened in append mode: a killed run keeps all but its last moments, and
the worker processes of `-workers` share one file per trace without cutting into each other's
records. `TraceLogs` opens the three for one process; `prepare_shared` readies the files that
workers will share.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass

from sipperf.config import Config
from sipperf.timefmt import space_timestamp, tab_timestamp

_ERRORS_HEADER = "The following events occurred:\n"


class _RecordFile:
    """An append-only file written in whole records: `add` keeps them, `flush` writes them."""

    def __init__(self, path: str, truncate: bool | None) -> None:
        """Open now (emptying the file when `truncate`), or later when `truncate` is None."""
        self.path = path
        self._records: list[str] = []
        self._fd: int | None = None
        if truncate is not None:
            self._open(truncate)

    def _open(self, truncate: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        self._fd = os.open(self.path, flags, 0o644)

    def add(self, record: str) -> None:
        self._records.append(record)

    def flush(self, now_ms: float = 0.0) -> None:
        if not self._records or self._fd is None:
            return
        data = "".join(self._records).encode("latin-1", "replace")
        self._records.clear()
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def close(self) -> None:
        self.flush()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class MessageLog(_RecordFile):
    """`<scenario>_<pid>_messages.log`: every message sent and received (SIPp 3.6.1 layout)."""

    def __init__(self, path: str, transport: str, overwrite: bool = True) -> None:
        super().__init__(path, truncate=overwrite)
        self.transport = transport

    def __call__(self, direction: str, data: bytes, now_ms: float) -> None:
        if direction == "sent":
            title = f"{self.transport} message sent ({len(data)} bytes):"
        else:
            title = f"{self.transport} message received [{len(data)}] bytes :"
        self.add(f"{'-' * 47} {space_timestamp(time.time())}\n{title}\n\n{data.decode('latin-1')}\n")


class ErrorLog(_RecordFile):
    """`<scenario>_<pid>_errors.log`: created at the first warning, one `<timestamp>: text` each.

    Shared by workers (`shared`), the file is created by whichever writes first, which alone writes
    SIPp's header line."""

    def __init__(self, path: str, overwrite: bool = True, shared: bool = False) -> None:
        self.overwrite = overwrite
        self.shared = shared
        self._started = False
        super().__init__(path, truncate=None)

    def __call__(self, text: str) -> None:
        if not self._started:
            self._started = True
            self._start()
        self.add(f"{tab_timestamp(time.time())}: {text}\n")

    def _start(self) -> None:
        if not self.shared:
            self._open(self.overwrite)
            self.add(_ERRORS_HEADER)
            return
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
            self.add(_ERRORS_HEADER)
        except FileExistsError:
            self._open(truncate=False)


class ActionLog(_RecordFile):
    """`<scenario>_<pid>_logs.log` (`-trace_logs`): one line per `<log>` action, as SIPp writes it."""

    def __init__(self, path: str, overwrite: bool = True) -> None:
        super().__init__(path, truncate=overwrite)

    def __call__(self, text: str) -> None:
        self.add(text + "\n")


@dataclass
class TraceLogs:
    """The trace files one process writes; None for those not asked for."""

    messages: MessageLog | None = None
    errors: ErrorLog | None = None
    actions: ActionLog | None = None

    @classmethod
    def open(cls, config: Config, prefix: str, transport: str, shared: bool = False) -> TraceLogs:
        """The files `config` asks for, named after `prefix` unless named on the command line. With
        `shared` (a worker), they are appended to: `prepare_shared` truncated them beforehand."""
        messages, errors, actions = trace_paths(config, prefix)
        return cls(
            MessageLog(messages, transport, config.message_overwrite and not shared)
            if config.trace_msg
            else None,
            ErrorLog(errors, config.error_overwrite, shared) if config.trace_err else None,
            ActionLog(actions, config.log_overwrite and not shared) if config.trace_logs else None,
        )

    @property
    def files(self) -> tuple[_RecordFile, ...]:
        return tuple(log for log in (self.messages, self.errors, self.actions) if log is not None)

    def flush(self, now_ms: float = 0.0) -> None:
        for log in self.files:
            log.flush()

    def close(self) -> None:
        for log in self.files:
            log.close()


def trace_paths(config: Config, prefix: str) -> tuple[str, str, str]:
    """The messages, errors and logs file names, as SIPp names them."""
    return (
        config.message_file or prefix + "messages.log",
        config.error_file or prefix + "errors.log",
        config.log_file or prefix + "logs.log",
    )


def prepare_shared(config: Config, prefix: str) -> None:
    """Before workers append to the trace files: empty those to be overwritten (the errors file is
    removed, so that the first worker with an error creates it with its header)."""
    messages, errors, actions = trace_paths(config, prefix)
    for wanted, overwrite, path in ((config.trace_msg, config.message_overwrite, messages),
                                    (config.trace_logs, config.log_overwrite, actions)):  # fmt: skip
        if wanted and overwrite:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644))
    if config.trace_err and config.error_overwrite:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(errors)
