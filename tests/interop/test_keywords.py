"""Keywords on the wire, through the `sipperf` command, with real SIPp 3.6.1 as the reference: the
same message template sent by both carries the same bytes (variables, `[fill]`, `[file]`, offsets,
the `\\x5b` escape and SIPp's empty-line rule), and `rrs="true"` gives `[routes]` and `[next_url]`
in both roles as SIPp's regression test 0262 does (reference 3.11).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.interop.helpers import Processes, wait_all
from tests.interop.language import Recorder, exit_codes, masked, run_clients, scenario, sent, write

BODY_FILE = "FILE-LINE-1\nFILE-LINE-2 [not a keyword]\n"

KEYWORDS = scenario("keywords", """\
  <nop><action>
    <assign assign_to="n" value="7"/><assignstr assign_to="s" value="hello"/>
    <assign assign_to="zero" value="0"/>
    <test assign_to="yes" variable="n" compare="equal" value="7"/>
    <test assign_to="no" variable="n" compare="equal" value="8"/>
  </action></nop>
  <send><![CDATA[
    MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:a@b>;tag=[call_number]
    To: <sip:x@y>
    Call-ID: [call_id]
    CSeq: [cseq+1] MESSAGE
    X-Vars: [$n] [$s] [$zero]|[$yes] [$no]
    X-Fill: [fill variable=n text="ab"]|[fill variable=n]|[fill variable=zero]
    X-Offsets: [local_port+2] [remote_port-1] [branch-1] [branch+3] [cseq-1] [msg_index]
    X-Bracket: \\x5bnot-a-keyword] \\x5b$n]
    [$unset]
    X-Unset: [$unset]
    X-Glued: [$unset]tail
    [$s]
    X-Last: end
    Content-Type: text/plain
    Content-Length: [len]

    [file name="body.txt"]
  ]]></send>
""")  # fmt: skip


def test_keywords_render_the_bytes_sipp_sends(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    peer = recorder()
    clients = run_clients(procs, ports, KEYWORDS, peer.port, "-m", "1", files={"body.txt": BODY_FILE})
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    received = {r.port: r.message.raw.decode("latin-1") for r in peer.snapshot()}
    wire = {}
    for tool, proc in clients.items():
        text = masked(received[proc.port], proc)
        wire[tool] = text.replace(str(proc.port + 2), "LOCAL+2").replace(f":{proc.port}", ":LOCAL")
    assert wire["sipperf"] == wire["sipp"]
    head, body = wire["sipperf"].split("\r\n\r\n")
    assert head.split("\r\n")[5:] == [
        "CSeq: 2 MESSAGE",
        "X-Vars: 7.000000 hello |true false",
        "X-Fill: abababa|XXXXXXX|",
        f"X-Offsets: LOCAL+2 {peer.port - 1} z9hG4bK-PID-1-0 z9hG4bK-PID-1-4 0 1",
        "X-Bracket: [not-a-keyword] [$n]",
        # a line holding only an empty [$var] disappears; one with more on it stays
        "X-Unset: ",
        "X-Glued: tail",
        "hello",
        "X-Last: end",
        "Content-Type: text/plain",
        "Content-Length:    42",
    ]
    assert body == BODY_FILE + "\r\n"  # the file as it is, LF line ends included


# Regression test 0262 of SIPp: the UAC sends three Record-Route entries, the UAS echoes them.
ROUTING_UAC = scenario("routing_uac", """\
  <send retrans="500"><![CDATA[
    INVITE sip:svc@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:c@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:svc@[remote_ip]:[remote_port]>
    Call-ID: [call_id]
    CSeq: 1 INVITE
    Contact: <sip:c@[local_ip]:[local_port]>
    Record-Route: <sip:[local_ip]:5060;lr>, <sip:[local_ip]:3;lr>
    Record-Route: <sip:[local_ip]:2;lr>
    Content-Length: 0
  ]]></send>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
    ACK [next_url] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:c@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:svc@[remote_ip]:[remote_port]>[peer_tag_param]
    Call-ID: [call_id]
    CSeq: 1 ACK
    [routes]
    Content-Length: 0
  ]]></send>
  <recv request="BYE"/>
  <send><![CDATA[
    SIP/2.0 200 OK
    [last_Via:]
    [last_From:]
    [last_To:]
    [last_Call-ID:]
    [last_CSeq:]
    Content-Length: 0
  ]]></send>
""")  # fmt: skip
ROUTING_UAS = scenario("routing_uas", """\
  <recv request="INVITE" rrs="true"/>
  <send><![CDATA[
    SIP/2.0 200 OK
    [last_Via:]
    [last_From:]
    [last_To:];tag=[call_number]
    [last_Call-ID:]
    [last_CSeq:]
    [last_Record-Route:]
    Contact: <sip:s@[local_ip]:[local_port]>
    Content-Length: 0
  ]]></send>
  <recv request="ACK"/>
  <send retrans="500"><![CDATA[
    BYE [next_url] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    [last_To:]
    [last_From:]
    Call-ID: [call_id]
    CSeq: 2 BYE
    [routes]
    Content-Length: 0
  ]]></send>
  <recv response="200"/>
""")  # fmt: skip


@pytest.mark.parametrize(("uac_tool", "uas_tool"), [("sipperf", "sipp"), ("sipp", "sipperf")])
def test_record_route_sets_routes_and_next_url_in_both_roles(
    uac_tool: str, uas_tool: str, procs: Processes, ports: Callable[[], int]
) -> None:
    """The UAC's ACK goes to the UAS's Contact with the Record-Route reversed; the UAS's BYE goes to
    the UAC's Contact with the Record-Route in its order."""
    uas_file, uac_file = (
        write(procs.root, "routing_uas", ROUTING_UAS),
        write(procs.root, "routing_uac", ROUTING_UAC),
    )
    uas = procs.uas(uas_tool, ports(), "-sf", str(uas_file), "-m", "1", "-trace_msg")
    uac = procs.uac(uac_tool, ports(), uas.port, "-sf", str(uac_file), "-m", "1", "-trace_msg")
    assert wait_all([uac, uas]) == [0, 0], uac.describe() + uas.describe()
    hops = ["<sip:127.0.0.1:5060;lr>", "<sip:127.0.0.1:3;lr>", "<sip:127.0.0.1:2;lr>"]
    ack = next(m for m in sent(uac, "routing_uac") if m.first_line.startswith("ACK"))
    assert ack.first_line == f"ACK sip:s@127.0.0.1:{uas.port} SIP/2.0"
    assert ack.all("Route") == [", ".join(reversed(hops))]
    bye = next(m for m in sent(uas, "routing_uas") if m.first_line.startswith("BYE"))
    assert bye.first_line == f"BYE sip:c@127.0.0.1:{uac.port} SIP/2.0"
    assert bye.all("Route") == [", ".join(hops)]
