"""SIPp 3.7's SRTP (SDES) keywords: the text of `a=crypto:` lines in RTP-check scenarios' SDP."""

from __future__ import annotations

import base64
import re

import pytest

from sipperf.scenario.keywords import is_known
from sipperf.scenario.template import Template, normalize_cdata
from tests.unit.test_keywords_auth import FakeCall, context

SDP = """
INVITE sip:a SIP/2.0
Content-Length: [len]

m=audio [rtpstream_audio_port] RTP/AVP 0
a=crypto:[cryptotag1audio] [cryptosuiteaescm128sha1801audio] inline:[cryptokeyparams1audio]
a=crypto:[cryptotag2audio] [cryptosuiteaescm128sha1322audio] inline:[cryptokeyparams2audio]
m=video [rtpstream_video_port] RTP/AVP 96
a=crypto:[cryptotag1video] [cryptosuitenullsha1321video] inline:[cryptokeyparams1video]
a=crypto:[cryptotag2video] [ueaescm128sha1802video] inline:[cryptokeyparams2video-1]
"""
CRYPTO = re.compile(r"a=crypto:(\d) (\S+) inline:(\S*)")


def render(text: str, call: FakeCall) -> str:
    template = Template.compile(normalize_cdata(text, True), lambda keyword: is_known(keyword.name, set()))
    return template.bind(context()).render(call)


def test_an_offer_renders_tags_suites_and_fresh_keys():
    call = FakeCall()
    message = render(SDP, call)
    assert "m=audio 6000 RTP/AVP 0\r\n" in message and "m=video 6000 RTP/AVP 96\r\n" in message
    lines = CRYPTO.findall(message)
    assert [(tag, suite) for tag, suite, _ in lines] == [
        ("1", "AES_CM_128_HMAC_SHA1_80"), ("2", "AES_CM_128_HMAC_SHA1_32"),
        ("1", "NULL_HMAC_SHA1_32"), ("2", "UNENCRYPTED_SRTP"),
    ]  # fmt: skip
    keys = [key for _, _, key in lines]
    for key in keys[:3]:  # a master key and salt: 16 + 14 random bytes in base64
        assert len(key) == 40 and len(base64.b64decode(key, validate=True)) == 30
    assert len(set(keys[:3])) == 3
    assert keys[3] == ""  # [cryptokeyparams2video-1] reuses a key this call never had


def test_a_negative_offset_repeats_the_calls_last_key_and_a_new_render_makes_a_new_one():
    call = FakeCall()
    first, second = (key for _, _, key in CRYPTO.findall(render(SDP, call))[:2])
    again = render("SIP/2.0 200 OK\nX: [cryptokeyparams1audio-1] [cryptokeyparams2audio-1]\n", call)
    assert again.split("\r\n")[1] == f"X: {first} {second}"
    renewed = CRYPTO.findall(render(SDP, call))[0][2]
    assert renewed != first and call.srtp_keys["1audio"] == renewed
    assert sorted(call.srtp_keys) == ["1audio", "1video", "2audio"]  # one per line, kept per call


@pytest.mark.parametrize("media", ["audio", "video"])
def test_every_3_7_keyword_is_known(media):
    names = [f"cryptotag{n}{media}" for n in "12"] + [f"cryptokeyparams{n}{media}" for n in "12"]
    for suite in ("cryptosuiteaescm128sha1", "cryptosuitenullsha1", "ueaescm128sha1"):
        names += [f"{suite}{bits}{n}{media}" for bits in ("80", "32") for n in "12"]
    assert len(names) == 16 and all(is_known(name, set()) for name in names)
