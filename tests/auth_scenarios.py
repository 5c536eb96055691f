"""Scenarios of the digest authentication tests (in memory and against real SIPp).

`uac()`: INVITE, a 401 or 407 challenge kept with `auth="true"`, ACK, the INVITE again with the
`[authentication]` line, 200, ACK. `uas()`: answers the first INVITE with the given challenge, checks
the second one's credentials with `<verifyauth>` and answers 200 when they are right, 403 when not
(or answers 200 without checking).
"""

from __future__ import annotations

USER, PASSWORD = "alice", "secret"
KEYWORD = f"[authentication username={USER} password={PASSWORD}]"

_REQUEST = """
      {method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>{to_tag}
      Call-ID: [call_id]
      CSeq: [cseq] {method}
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      {extra}"""

_SDP = """
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
"""

_RESPONSE = """
      SIP/2.0 {status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      {extra}Content-Length: 0
"""


def _send(text: str, retrans: bool = False) -> str:
    attribute = ' retrans="500"' if retrans else ""
    return f"  <send{attribute}><![CDATA[{text}    ]]></send>\n"


def uac(keyword: str = KEYWORD) -> str:
    """The client: `keyword` is the credentials line of the second INVITE."""
    invite = _REQUEST.format(method="INVITE", to_tag="", extra="Subject: auth test") + _SDP
    ack = _REQUEST.format(method="ACK", to_tag="[peer_tag_param]", extra="Content-Length: 0\n")
    again = _REQUEST.format(method="INVITE", to_tag="", extra=keyword) + _SDP
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="auth_uac">\n'
        + _send(invite, retrans=True)
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="401" auth="true" optional="true" next="challenged"/>\n'
        + '  <recv response="407" auth="true"/>\n'
        + '  <label id="challenged"/>\n'
        + _send(ack)
        + _send(again, retrans=True)
        + '  <recv response="100" optional="true"/>\n'
        + '  <recv response="200"/>\n'
        + _send(ack)
        + "</scenario>\n"
    )


def uas(status: str, header: str, challenge: str, verify: bool = True) -> str:
    """The server: challenges with `SIP/2.0 <status>` and `<header>: <challenge>`; with `verify`,
    answers 403 unless `<verifyauth>` accepts the credentials (SIPp's verifyauth reads Authorization
    only, never Proxy-Authorization: a 407's answer cannot be verified so)."""
    if verify:
        check = f'<verifyauth assign_to="authok" username="{USER}" password="{PASSWORD}"/>'
        second_invite = (
            f'  <recv request="INVITE" next="verified" test="authok"><action>{check}</action></recv>\n'
            + _send(_RESPONSE.format(status="403 Forbidden", extra=""))
            + '  <recv request="ACK" next="end"/>\n'
            + '  <label id="verified"/>\n'
        )
    else:
        second_invite = '  <recv request="INVITE"/>\n'
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="auth_uas">\n'
        + '  <recv request="INVITE"/>\n'
        + _send(_RESPONSE.format(status=status, extra=f"{header}: {challenge}\n      "))
        + '  <recv request="ACK"/>\n'
        + second_invite
        + _send(_RESPONSE.format(status="200 OK", extra=""))
        + '  <recv request="ACK"/>\n'
        + ('  <label id="end"/>\n' if verify else "")
        + "</scenario>\n"
    )
