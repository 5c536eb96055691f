"""Unit tests of the lazy SIP message parser."""

import pytest

from sipperf.sip.headers import canonical, param, uri_in_brackets
from sipperf.sip.message import MalformedMessage, SipMessage

INVITE = (
    "INVITE sip:service@127.0.0.1:5070 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1-1-0\r\n"
    "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-proxy\r\n"
    "From: sipp <sip:sipp@127.0.0.1:5071>;tag=42SIPpTag001\r\n"
    "To: service <sip:service@127.0.0.1:5070>\r\n"
    "i: 1-42@127.0.0.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Subject: folded\r\n"
    " continuation\r\n"
    "Content-Length: 4\r\n\r\nbody"
)


def test_request_start_line_and_typed_slots():
    msg = SipMessage(INVITE)
    assert msg.is_request and msg.method == "INVITE" and msg.code == 0
    assert msg.call_id == "1-42@127.0.0.1"  # compact form through the fallback table
    assert msg.cseq == (7, "INVITE")
    assert msg.via_branch == "z9hG4bK-1-1-0"
    assert msg.to_tag is None
    assert msg.body == "body"


def test_header_line_merges_long_and_compact_as_sipp_361():
    msg = SipMessage(INVITE)
    # 3.6.1 keeps the name as received and uses the compact form only when the long one is absent
    assert msg.header_line("Via") == "Via: SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK-1-1-0"
    assert msg.header_line("Call-ID") == "i: 1-42@127.0.0.1"
    assert msg.header_line("Subject") == "Subject: folded continuation"
    assert msg.header_line("Record-Route") == ""


def test_lookups_give_the_same_answers_after_the_caches_are_dropped():
    msg = SipMessage(INVITE)
    names = ("Via", "Call-ID", "Subject", "Record-Route")
    before = [msg.header_line(name) for name in names], msg.values("Via"), msg.first("Subject")
    msg.drop_caches()
    assert ([msg.header_line(name) for name in names], msg.values("Via"), msg.first("Subject")) == before


def test_repeated_headers_are_joined_on_one_line():
    text = "SIP/2.0 200 OK\r\nVia: a\r\nVia: b, c\r\nTo: <sip:x@y>;tag=T1\r\nCSeq: 2 BYE\r\n\r\n"
    msg = SipMessage(text)
    assert msg.code == 200 and not msg.is_request
    assert msg.header_line("Via") == "Via: a, b, c"
    assert msg.values("via") == ["a", "b, c"]
    assert msg.to_tag == "T1"
    assert msg.cseq == (2, "BYE")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Via: a b", "Via: a b"),
        ("Via:a b", "Via: a b"),
        ("Via:  a b", "Via: a b"),
        ("Via: a b ", "Via: a b"),
        ("Via:\ta b\t", "Via: a b"),
        ("Via: a", "Via: a"),
        ("Via: ", "Via: "),
    ],
)
def test_header_line_is_name_colon_space_value_whatever_the_spacing(line, expected):
    msg = SipMessage(f"SIP/2.0 200 OK\r\n{line}\r\nCSeq: 1 BYE\r\n\r\n")
    assert msg.header_line("Via") == expected


def test_odd_spacing_and_case_fall_back_to_the_table():
    msg = SipMessage("BYE sip:a@b SIP/2.0\r\ncall-id :  abc \r\ncseq: x\r\n\r\n")
    assert msg.call_id == "abc"
    assert msg.cseq == (0, "")


@pytest.mark.parametrize("text", ["garbage", "SIP/2.0 abc Bad\r\n\r\n", "NOVERSION\r\n\r\n"])
def test_malformed_start_lines_raise(text):
    with pytest.raises(MalformedMessage):
        SipMessage(text)


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("a <sip:b>;tag=X1", "X1"),
        ("a <sip:b;transport=udp>;tag=X2", "X2"),
        ("a <sip:b>;TAG=X3", "X3"),
        ("a <sip:b>;Tag=X4;tag=X5", "X4"),  # the first in any case, though a later one is lower-case
        ("a;tagx=1;tag=X6", "X6"),
        ("a;tag=", ""),
        ("a;tag=X7, b;tag=X8", "X7"),
        ("a", None),
    ],
)
def test_param_finds_the_first_parameter_of_that_name_in_any_case(value, tag):
    assert param(value, "tag") == tag


@pytest.mark.parametrize(
    ("value", "cseq"),
    [("1 INVITE", (1, "INVITE")), ("2  BYE", (2, "BYE")), ("3\tACK", (3, "ACK")), ("7", (7, "")),
     ("x BYE", (0, "")), ("9 BYE ", (9, "BYE"))],
)  # fmt: skip
def test_cseq_number_and_method_whatever_the_spacing(value, cseq):
    assert SipMessage(f"SIP/2.0 200 OK\r\nCSeq: {value}\r\n\r\n").cseq == cseq


def test_header_helpers():
    assert canonical("i") == "call-id" and canonical(" Via ") == "via"
    assert param("<sip:a@b>;tag=abc;x=1", "tag") == "abc"
    assert param("SIP/2.0/UDP h;BRANCH=z9", "branch") == "z9"
    assert param("<sip:a@b>", "tag") is None
    assert uri_in_brackets("svc <sip:svc@1.2.3.4:5060>;tag=1") == "sip:svc@1.2.3.4:5060"
    assert uri_in_brackets("sip:svc@host") == ""
