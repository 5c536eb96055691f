"""SIPp's internal default messages: the ACK, BYE and CANCEL of the abort procedure and the 200 OK
of automatic answers, compiled like any scenario message."""

from __future__ import annotations

from sipperf.scenario.keywords import is_known
from sipperf.scenario.template import Template, normalize_cdata

_CONTACT = "Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>\n"
DEFAULT_MESSAGES: dict[str, str] = {
    "ack": "ACK [last_Request_URI] SIP/2.0\n[last_Via]\n[last_From]\n[last_To]\nCall-ID: [call_id]\n"
    f"CSeq: [last_cseq_number] ACK\n{_CONTACT}Max-Forwards: 70\nSubject: Performance Test\n"
    "Content-Length: 0\n\n",
    "bye": "BYE [last_Request_URI] SIP/2.0\n"
    "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n[last_From]\n[last_To]\n"
    f"Call-ID: [call_id]\nCSeq: [last_cseq_number+1] BYE\nMax-Forwards: 70\n{_CONTACT}"
    "Content-Length: 0\n\n",
    "cancel": "CANCEL [last_Request_URI] SIP/2.0\n[last_Via]\n[last_From]\n[last_To]\nCall-ID: [call_id]\n"
    f"CSeq: [last_cseq_number] CANCEL\nMax-Forwards: 70\n{_CONTACT}Content-Length: 0\n\n",
    "200": "SIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n[last_CSeq:]\n"
    "Contact: <sip:[local_ip]:[local_port];transport=[transport]>\nContent-Length: 0\n\n",
}


def default_templates() -> dict[str, Template]:
    """The default messages compiled (id -> Template)."""
    return {
        name: Template.compile(normalize_cdata(text, is_send=True), lambda kw: is_known(kw.name, frozenset()))
        for name, text in DEFAULT_MESSAGES.items()
    }
