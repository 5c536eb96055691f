"""The two error families and SIPp's fatal-error output.

`ScenarioError` (a bad scenario file: file, line, what is wrong) and `FatalError` (SIPp's fatal
errors, with the exit code SIPp uses) are raised anywhere before or during the run and turned into
output and an exit code at one boundary, `report_fatal`. Errors caused by the peer never raise: they
are counted under SIPp's counter names and fail the call.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from sipperf.timefmt import tab_timestamp

EXIT_OK = 0
EXIT_FAILED_CALLS = 1
EXIT_INTERNAL = 97
EXIT_NO_CALLS = 99
EXIT_BIND = 254
EXIT_FATAL = 255


class FatalError(Exception):
    """A fatal error as SIPp reports it: `<timestamp>: <message>` on stderr, then exit `code`."""

    def __init__(self, message: str, code: int = EXIT_FATAL, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.hint = hint


class ScenarioError(FatalError):
    """A scenario file that cannot be loaded; names the file and line. Exit 1 as in SIPp."""

    def __init__(self, path: str, line: int | None, what: str) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {what}", code=EXIT_FAILED_CALLS)
        self.path = path
        self.line = line
        self.what = what


def report_fatal(err: FatalError, stream: TextIO | None = None) -> int:
    """Print a fatal error the way SIPp does (timestamped line; optional hint) and return its exit code."""
    out = stream if stream is not None else sys.stderr
    out.write(f"{tab_timestamp(time.time())}: {err.message}\n")
    if err.hint:
        out.write(err.hint + "\n")
    out.flush()
    return err.code
