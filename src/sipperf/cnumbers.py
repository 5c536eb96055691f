"""Numbers read as SIPp reads them, with the C library: `strtol` (base 0) and `strtod`.

The command line takes a number's prefix and complains about the rest (`strtol`, `strtod`); the
scenario file wants the whole text to be a number (`parse_double`, `parse_bool`: SIPp's
`get_double` and `get_bool`), with "" reading as 0.
"""

from __future__ import annotations

import math
import re

_C_SPACE = "[ \t\n\v\f\r]*"
_STRTOL = re.compile(_C_SPACE + r"([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_STRTOD = re.compile(
    _C_SPACE
    + r"""([+-]?)(
        0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?
      | (?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?
      | inf(?:inity)?
      | nan(?:\([0-9a-z_]*\))?
    )""",
    re.VERBOSE | re.IGNORECASE,
)
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
INT_MIN = -(2**31)
_ATOL = re.compile(_C_SPACE + r"[+-]?[0-9]+")


def strtol(text: str) -> tuple[int, str]:
    """C `strtol(text, &end, 0)`: the value (clamped to a long) and the unparsed rest (all of `text`
    when nothing parsed)."""
    match = _STRTOL.match(text)
    if match is None:
        return 0, text
    sign, digits = match.groups()
    value = int(digits, 0 if digits[:2] in ("0x", "0X") else 8 if digits.startswith("0") else 10)
    value = -value if sign == "-" else value
    return min(max(value, LONG_MIN), LONG_MAX), text[match.end() :]


def atol(text: str) -> int:
    """C `atol`: optional white space and sign, then decimal digits; 0 when there are none."""
    match = _ATOL.match(text)
    return int(match.group()) if match else 0


def c_int(value: float) -> int:
    """C's `(int)` of a double on x86-64: truncation, INT_MIN when out of range or NaN."""
    if math.isfinite(value) and INT_MIN <= value < 2**31:
        return int(value)
    return INT_MIN


def strtod(text: str) -> tuple[float, str]:
    """C `strtod(text, &end)`: the value and the unparsed rest (all of `text` when nothing parsed)."""
    match = _STRTOD.match(text)
    if match is None:
        return 0.0, text
    sign, body = match.groups()
    lowered = body.lower()
    if lowered.startswith("nan"):
        value = math.nan
    elif lowered.startswith("0x"):
        try:
            value = float.fromhex(lowered)
        except OverflowError:
            value = math.inf
    else:
        value = float(lowered)
    return (-value if sign == "-" else value), text[match.end() :]


def parse_double(text: str) -> float | None:
    """SIPp's `get_double`: the whole text through `strtod` ("" reads as 0); None when it is not."""
    if not text:
        return 0.0
    value, rest = strtod(text)
    return None if rest else value


def parse_bool(text: str) -> bool | None:
    """SIPp's `get_bool`: `true` or `false` in any case, else a whole C integer (`strtol`, base 0),
    true unless zero ("" reads as false); None when it is neither."""
    lower = text.lower()
    if lower in ("true", "false"):
        return lower == "true"
    if not text:
        return False
    value, rest = strtol(text)
    return None if rest else value != 0
