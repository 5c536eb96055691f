"""Header names: the table of full and compact forms, and small helpers on header values."""

from __future__ import annotations

from typing import Final

# RFC 3261 section 7.3.3 and later RFCs: compact form -> full name (lower case).
COMPACT_TO_FULL: Final[dict[str, str]] = {
    "a": "accept-contact",
    "b": "referred-by",
    "c": "content-type",
    "d": "request-disposition",
    "e": "content-encoding",
    "f": "from",
    "i": "call-id",
    "j": "reject-contact",
    "k": "supported",
    "l": "content-length",
    "m": "contact",
    "n": "identity-info",
    "o": "event",
    "r": "refer-to",
    "s": "subject",
    "t": "to",
    "u": "allow-events",
    "v": "via",
    "x": "session-expires",
    "y": "identity",
}
FULL_TO_COMPACT: Final[dict[str, str]] = {full: short for short, full in COMPACT_TO_FULL.items()}


def canonical(name: str) -> str:
    """The lower-case full name of a header name as written (`i` -> `call-id`, `Via` -> `via`)."""
    low = name.strip().lower()
    return COMPACT_TO_FULL.get(low, low)


def param(value: str, name: str) -> str | None:
    """The value of `;name=` in a header value (`tag`, `branch`), or None when absent. The name
    matches in any case; the usual lower-case spelling with no `;` before it is found without
    making a lower-case copy of the value."""
    key = ";" + name + "="
    start = value.find(key)
    if start < 0 or value.find(";", 0, start) >= 0:  # else it is the first parameter of any case
        start = value.lower().find(key)
        if start < 0:
            return None
    begin = start + len(key)
    end = begin
    while end < len(value) and value[end] not in ";,> \t\r\n":
        end += 1
    return value[begin:end]


def uri_in_brackets(value: str) -> str:
    """The URI between `<` and `>` of a name-addr, or "" when there is none."""
    start = value.find("<")
    if start < 0:
        return ""
    end = value.find(">", start + 1)
    return value[start + 1 : end] if end > 0 else ""


def route_set(record_routes: list[str], contact: str, incoming_request: bool) -> tuple[str, str]:
    """SIPp's route set and remote target from a message's Record-Route values and Contact
    (reference 3.11): (`Route:` value or "", request target URI or "").

    A received request keeps the Record-Route order, a received response reverses it. A first hop
    without `;lr` (a strict router) becomes the target, and the Contact ends the route list;
    otherwise the target is the Contact."""
    hops = [hop.strip() for value in record_routes for hop in value.split(",") if hop.strip()]
    if not incoming_request:
        hops.reverse()
    target = contact
    if hops and ";lr" not in hops[0]:
        target = hops.pop(0)
        if contact:
            hops.append(contact)
    start, end = target.find("<"), target.rfind(">")
    if start >= 0 and end > start:
        target = target[start + 1 : end]
    return ", ".join(hops), target
