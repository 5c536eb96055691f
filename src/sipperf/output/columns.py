"""C-style fixed-width text, as SIPp's screens build their lines with snprintf."""

from __future__ import annotations

LINE_CHARS = 79  # SIPp formats most screen lines into 80-byte buffers: 79 characters survive


def clip(line: str) -> str:
    """A line cut to what fits in SIPp's 80-byte line buffer."""
    return line[:LINE_CHARS]


def pad(text: str, width: int) -> str:
    """`%-<width>.<width>s`: left-justified, cut to `width`."""
    return f"{text[:width]:<{width}}"
