"""`[authentication]`: the credentials line a message gets for the call's 401/407 challenge, filled in
once the rest of the message (method, body, `[len]`) is rendered, as SIPp 3.6.1 does."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sipperf.errors import FatalError
from sipperf.scenario.keywords import RunContext, is_known
from sipperf.scenario.template import Template, TemplateSyntaxError, normalize_cdata
from sipperf.scenario.variables import Value
from sipperf.sip.digest import Challenge, auth_param, verify_authorization
from sipperf.sip.message import SipMessage

CHALLENGE = 'Digest realm="sipp.test", nonce="abc123nonce", qop="auth,auth-int", opaque="op4que"'

INVITE = """
INVITE sip:service@127.0.0.1:5060 SIP/2.0
Call-ID: 1
CSeq: 2 INVITE
{auth}
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP4 127.0.0.1
"""


@dataclass
class FakeCall:
    challenge: Challenge | None = None
    variables: dict[str, Value] | None = None
    number: int = 1
    call_id: str = "1"
    cseq: int = 1
    msg_index: int = 0
    last_msg: SipMessage | None = None
    peer_tag: str | None = None
    userid: int = 0
    routes: str | None = None
    next_url: str = ""
    tdm_circuit: int = 0
    srtp_keys: dict[str, str] | None = field(default=None)


def context(**kwargs) -> RunContext:
    ctx = RunContext(pid=1, service="service", local_ip="127.0.0.1", local_port=5061, remote_ip="127.0.0.1",
                     remote_port=5060, remote_host="127.0.0.1", transport="UDP", media_ip="127.0.0.1",
                     media_port=6000, server_ip="127.0.0.1", sipp_version="3.6.1", **kwargs)  # fmt: skip
    ctx.compile = lambda text: Template.compile(text, lambda keyword: True).bind(ctx)
    return ctx


def render(text: str, call: FakeCall, ctx: RunContext | None = None) -> str:
    template = Template.compile(normalize_cdata(text, True), lambda keyword: is_known(keyword.name, set()))
    return template.bind(ctx or context()).render(call)


def credentials_line(message: str) -> tuple[str, str]:
    """(header name, value) of the one credentials line of a rendered message."""
    for line in message.split("\r\n"):
        if line.startswith(("Authorization: ", "Proxy-Authorization: ")):
            name, _, value = line.partition(": ")
            return name, value
    raise AssertionError(f"no credentials in {message!r}")


def test_after_a_401_the_line_is_an_authorization_that_sipp_verifyauth_accepts():
    call = FakeCall(Challenge(401, CHALLENGE))
    message = render(INVITE.format(auth="[authentication username=alice password=secret]"), call)
    name, value = credentials_line(message)
    assert name == "Authorization"
    body = message.split("\r\n\r\n", 1)[1]
    assert "Content-Length:    51\r\n" in message and len(body) == 51  # [len] filled before, unchanged
    assert auth_param("qop", value) == "auth-int"  # the body is hashed: the rendered one
    assert verify_authorization("alice", "secret", "INVITE", value, body)
    assert not verify_authorization("alice", "secret", "INVITE", value, body + "x")
    # SIPp's order and format; the digest URI is the remote address, not the Request-URI
    assert value.startswith('Digest username="alice",realm="sipp.test",cnonce="')
    assert value.endswith(',uri="sip:127.0.0.1:5060",nonce="abc123nonce",response="'
                          + auth_param("response", value) + '",algorithm=MD5,opaque="op4que"')  # fmt: skip


def test_after_a_407_the_line_is_a_proxy_authorization():
    call = FakeCall(Challenge(407, 'Digest realm="r", nonce="n"'))
    name, value = credentials_line(render(INVITE.format(auth="[authentication]"), call))
    assert name == "Proxy-Authorization"
    assert value.startswith('Digest username="service",realm="r",uri="sip:127.0.0.1:5060",nonce="n",')
    assert verify_authorization("service", "password", "INVITE", value, "")


def test_defaults_come_from_au_ap_and_auth_uri_and_ipv6_loses_its_brackets():
    call = FakeCall(Challenge(401, 'Digest realm="r", nonce="n"'))
    ctx = context(auth_username="joe", auth_password="jpw", auth_uri="example.com")
    _, value = credentials_line(render(INVITE.format(auth="[authentication]"), call, ctx))
    assert auth_param("username", value) == "joe" and auth_param("uri", value) == "sip:example.com"
    assert verify_authorization("joe", "jpw", "INVITE", value, "")
    ctx = context(auth_username="joe")
    ctx.remote_ip, ctx.remote_port = "[::1]", 5070
    _, value = credentials_line(render(INVITE.format(auth="[authentication password=pw]"), call, ctx))
    assert auth_param("uri", value) == "sip:::1:5070"
    assert verify_authorization("joe", "pw", "INVITE", value, "")


def test_username_and_password_may_hold_keywords():
    call = FakeCall(Challenge(401, 'Digest realm="r", nonce="n"'), variables={"user": "bob", "pw": "s3"})
    text = INVITE.format(auth='[authentication username="[$user]" password="x[$pw]"]')
    _, value = credentials_line(render(text, call))
    assert auth_param("username", value) == "bob"
    assert verify_authorization("bob", "xs3", "INVITE", value, "")


def test_the_method_is_the_one_of_the_message_being_sent():
    call = FakeCall(Challenge(401, 'Digest realm="r", nonce="n"'))
    bye = "BYE sip:a SIP/2.0\nCSeq: 3 BYE\n[authentication]\nContent-Length: 0\n"
    _, value = credentials_line(render(bye, call))
    assert verify_authorization("service", "password", "BYE", value, "")


def test_the_line_may_be_the_last_header():
    call = FakeCall(Challenge(401, 'Digest realm="r", nonce="n", qop=auth-int'))
    message = render("MESSAGE sip:a SIP/2.0\nContent-Length: [len]\n[authentication]\n\nhello\n", call)
    head, body = message.split("\r\n\r\n")
    assert body == "hello\r\n" and head.split("\r\n")[1] == "Content-Length:     7"
    assert verify_authorization("service", "password", "MESSAGE", credentials_line(message)[1], body)


def test_the_nonce_count_grows_until_a_new_challenge():
    call = FakeCall(Challenge(401, 'Digest realm="r", nonce="n", qop=auth'))
    template = Template.compile(normalize_cdata(INVITE.format(auth="[authentication]"), True), lambda k: True)
    bound = template.bind(context())
    counts = [auth_param("nc", credentials_line(bound.render(call))[1]) for _ in range(3)]
    assert counts == ["00000001", "00000002", "00000003"]
    call.challenge = Challenge(401, 'Digest realm="r", nonce="n2", qop=auth')
    assert auth_param("nc", credentials_line(bound.render(call))[1]) == "00000001"


def test_a_keyword_right_after_the_line_does_not_follow_a_line_end():
    call = FakeCall(Challenge(401, 'Digest realm="r", nonce="n"'))
    text = "OPTIONS sip:a SIP/2.0\nA: 1\n[authentication][$unset]\nB: 2\n[$unset]\nC: 3\n"
    message = render(text, call)
    lines = message.split("\r\n")
    assert lines[2].startswith("Authorization: Digest ") and lines[3:] == ["B: 2", "C: 3", "", ""]


@pytest.mark.parametrize(
    ("text", "challenge", "message"),
    [
        (INVITE.format(auth="[authentication]"), None,
         "Authentication keyword without dialog_authentication!"),
        (INVITE.format(auth="[authentication]\n[authentication]"), Challenge(401, "Digest realm=r, nonce=n"),
         "Only one [authentication] keyword is currently supported!"),
        ("INVITE sip:a SIP/2.0\nContent-Length: [len]\n\n[authentication]\n", Challenge(401, "Digest r"),
         "The authentication keyword should appear in the message header, not the body!"),
        (INVITE.format(auth="[authentication]"), Challenge(401, 'Basic realm="r"'),
         "createAuthHeader: authentication must be digest"),
        ("SIP/2.0 200 OK\n[authentication]\nContent-Length: 0\n", Challenge(401, "Digest realm=r, nonce=n"),
         "createAuthHeader: authentication requires a method"),
    ],
)  # fmt: skip
def test_sipps_fatal_errors_when_the_message_is_sent(text, challenge, message):
    with pytest.raises(FatalError) as caught:
        render(text, FakeCall(challenge))
    assert caught.value.message == message


def test_aka_parameters_are_refused_when_the_scenario_loads():
    text = normalize_cdata(INVITE.format(auth="[authentication username=u aka_K=0x0123 aka_OP=0x01]"), True)
    with pytest.raises(TemplateSyntaxError) as caught:
        Template.compile(text, lambda keyword: True)
    assert str(caught.value) == "AKAv1-MD5 authentication ([authentication aka_K=...]) is not supported yet"


def test_templates_without_the_keyword_render_as_before():
    template = Template.compile(normalize_cdata(INVITE.format(auth="X: 1"), True), lambda keyword: True)
    bound = template.bind(context())
    assert "_fill_auth" not in bound.render.__code__.co_names  # type: ignore[attr-defined]
    head, _, body = bound.render(FakeCall()).partition("\r\n\r\n")
    assert f"Content-Length: {len(body):5d}" in head
