"""The embedded scenarios: SIPp's names for them, and their XML as shipped (what `-sd` prints)."""

from __future__ import annotations

from importlib.resources import files

NAMES = (
    "uac", "uas", "regexp", "3pcc-C-A", "3pcc-C-B", "3pcc-A", "3pcc-B",
    "branchc", "branchs", "uac_pcap", "ooc_default", "ooc_dummy",
)  # fmt: skip


def xml(name: str) -> bytes | None:
    """The XML of embedded scenario `name` byte for byte, or None when sipperf does not ship it yet."""
    path = files(__name__).joinpath(f"{name}.xml")
    return path.read_bytes() if path.is_file() else None
