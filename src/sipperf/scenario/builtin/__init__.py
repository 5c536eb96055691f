"""The embedded scenarios: SIPp's names for them, and their XML as shipped (what `-sd` prints)."""

from __future__ import annotations

import os

_HERE = os.path.dirname(os.path.abspath(__file__))

NAMES = (
    "uac", "uas", "regexp", "3pcc-C-A", "3pcc-C-B", "3pcc-A", "3pcc-B",
    "branchc", "branchs", "uac_pcap", "ooc_default", "ooc_dummy",
)  # fmt: skip


def xml(name: str) -> bytes | None:
    """The XML of embedded scenario `name` byte for byte, or None when sipperf does not ship it yet."""
    try:
        with open(os.path.join(_HERE, f"{name}.xml"), "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None
