"""Digest authentication call flows, engine against engine in memory: a recv with `auth="true"` keeps
the challenge, `[authentication]` answers it, `<verifyauth>` checks the answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from sipperf.engine.engine import EngineSettings
from sipperf.errors import FatalError
from sipperf.scenario.loader import load_file
from sipperf.sip.digest import verify_authorization
from sipperf.sip.message import SipMessage
from tests import auth_scenarios
from tests.unit.memory_net import MemoryNet

UAC_PORT, UAS_PORT = 5061, 5060


def run(tmp_path: Path, uas_xml: str, uac_xml: str, calls: int = 2) -> tuple[MemoryNet, object, object]:
    (tmp_path / "uas.xml").write_text(uas_xml)
    (tmp_path / "uac.xml").write_text(uac_xml)
    net = MemoryNet()
    uas = net.add(load_file(str(tmp_path / "uas.xml")), UAS_PORT, None, EngineSettings(max_calls=calls))
    uac_scenario = load_file(str(tmp_path / "uac.xml"))
    uac = net.add(uac_scenario, UAC_PORT, UAS_PORT, EngineSettings(rate=10, max_calls=calls))
    assert net.run(10_000)
    return net, uac, uas


def counts(engine, *names):
    snap = engine.stats.snapshot()
    return tuple(snap.counter(n) for n in names)


def second_invites(net: MemoryNet) -> list[SipMessage]:
    return [d.msg for d in net.wire if d.src[1] == UAC_PORT and d.msg.cseq == (2, "INVITE")]


def test_the_uac_answers_a_401_and_the_uas_verifies_it(tmp_path):
    challenge = 'Digest realm="r", nonce="n", qop="auth,auth-int", opaque="o"'
    uas_xml = auth_scenarios.uas("401 Unauthorized", "WWW-Authenticate", challenge)
    net, uac, uas = run(tmp_path, uas_xml, auth_scenarios.uac())
    assert counts(uac, "SuccessfulCall", "FailedCall") == (2, 0)
    assert counts(uas, "SuccessfulCall", "FailedCall") == (2, 0)
    invites = second_invites(net)
    assert len(invites) == 2
    for invite in invites:
        (value,) = invite.values("Authorization")
        assert value.startswith('Digest username="alice",realm="r",cnonce="') and ",qop=auth-int," in value


def test_the_uac_answers_a_407_with_proxy_authorization(tmp_path):
    uas_xml = auth_scenarios.uas("407 Proxy Authentication Required", "Proxy-Authenticate",
                                 'Digest realm="r", nonce="n", qop=auth', verify=False)  # fmt: skip
    net, uac, uas = run(tmp_path, uas_xml, auth_scenarios.uac(), calls=1)
    assert counts(uac, "SuccessfulCall", "FailedCall") == (1, 0)
    (invite,) = second_invites(net)
    assert not invite.values("Authorization")
    (value,) = invite.values("Proxy-Authorization")
    assert verify_authorization("alice", "secret", "INVITE", value, invite.body)


def test_wrong_credentials_get_a_403_and_fail_the_uac_call(tmp_path):
    keyword = "[authentication username=alice password=wrong]"
    uas_xml = auth_scenarios.uas("401 Unauthorized", "WWW-Authenticate", 'Digest realm="r", nonce="n"')
    net, uac, uas = run(tmp_path, uas_xml, auth_scenarios.uac(keyword), calls=1)
    assert counts(uac, "FailedCall", "FailedUnexpectedMessage") == (1, 1)
    assert any(d.first_line == "SIP/2.0 403 Forbidden" for d in net.wire)


def test_a_challenge_without_its_header_is_a_fatal_error(tmp_path):
    uas_xml = auth_scenarios.uas("401 Unauthorized", "X-Not-A-Challenge", "nothing")
    with pytest.raises(FatalError) as caught:  # the transport hands it to the engine: the run stops
        run(tmp_path, uas_xml, auth_scenarios.uac(), calls=1)
    assert caught.value.message == "Couldn't find 'Proxy-Authenticate' or 'WWW-Authenticate' in 401 or 407!"
