"""Unit tests of message normalisation, keyword parsing and rendering (golden: SIPp 3.6.1 wire bytes)."""

import email.utils
import json
import re
from pathlib import Path

import pytest

from sipperf.scenario.keywords import RunContext, is_known, make_renderer
from sipperf.scenario.loader import load_builtin
from sipperf.scenario.template import Keyword, Template, TemplateSyntaxError, normalize_cdata, tokenize
from sipperf.sip.message import SipMessage

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "uac_call1_wire.json").read_text())


class FakeCall:
    def __init__(self, number=1, call_id="1-2104@127.0.0.1", last=None, index=0):
        self.number = number
        self.call_id = call_id
        self.cseq = 0
        self.msg_index = index
        self.last_msg = SipMessage(last) if last else None
        self.peer_tag = self.last_msg.to_tag if self.last_msg else None
        self.userid = 0


def context(pid, local_port, media_port, remote_port):
    return RunContext(
        pid=pid,
        service="service",
        local_ip="127.0.0.1",
        local_port=local_port,
        remote_ip="127.0.0.1",
        remote_port=remote_port,
        remote_host="127.0.0.1",
        transport="UDP",
        media_ip="127.0.0.1",
        media_port=media_port,
        server_ip="127.0.0.1",
        sipp_version="3.6.1",
    )


def compile_text(text, custom=()):
    return Template.compile(normalize_cdata(text, True), lambda kw: is_known(kw.name, set(custom)))


def test_builtin_uac_and_uas_render_the_bytes_sipp_sent():
    wire = [m["text"] for m in GOLDEN["messages"]]
    uac_ctx = context(GOLDEN["pid_uac"], GOLDEN["uac_port"], GOLDEN["uac_media_port"], GOLDEN["uas_port"])
    uas_ctx = context(GOLDEN["pid_uas"], GOLDEN["uas_port"], GOLDEN["uas_media_port"], GOLDEN["uac_port"])
    uac = load_builtin("uac")
    uas = load_builtin("uas")
    assert uac.steps[0].template.bind(uac_ctx).render(FakeCall()) == wire[0]
    assert uas.steps[1].template.bind(uas_ctx).render(FakeCall(last=wire[0], index=1)) == wire[1]
    assert uas.steps[2].template.bind(uas_ctx).render(FakeCall(last=wire[0], index=2)) == wire[2]
    assert uac.steps[5].template.bind(uac_ctx).render(FakeCall(last=wire[2], index=5)) == wire[3]
    assert uac.steps[7].template.bind(uac_ctx).render(FakeCall(last=wire[2], index=7)) == wire[4]


@pytest.mark.parametrize(
    ("cdata", "expected"),
    [
        # headers only, ]]> right after the last header: one blank line appended
        ("\n  OPTIONS sip:a SIP/2.0\n  Content-Length: 0", "OPTIONS sip:a SIP/2.0\nContent-Length: 0\n\n"),
        # many blank lines at the end collapse to one
        ("OPTIONS sip:a SIP/2.0\nX: 1\n\n\n\n   ", "OPTIONS sip:a SIP/2.0\nX: 1\n\n"),
        # body closed on a later line: exactly one newline after the body
        ("MESSAGE sip:a SIP/2.0\n   L: 3\n\n   X\n   ", "MESSAGE sip:a SIP/2.0\nL: 3\n\nX\n"),
        # body closed directly by ]]>: no newline after the body
        ("MESSAGE sip:a SIP/2.0\nL: 3\n\nX", "MESSAGE sip:a SIP/2.0\nL: 3\n\nX"),
        # a tab-only line counts as the blank separator
        ("MESSAGE sip:a SIP/2.0\n\t\nX\n", "MESSAGE sip:a SIP/2.0\n\nX\n"),
    ],
)
def test_normalisation_follows_sipp(cdata, expected):
    assert normalize_cdata(cdata, is_send=True) == expected


def test_len_is_padded_to_five_and_counts_the_rendered_body():
    template = compile_text("MESSAGE sip:a SIP/2.0\nContent-Length: [len]\n\nX\n")
    assert (
        template.bind(context(1, 5060, 6000, 5060))
        .render(FakeCall())
        .endswith("Content-Length:     3\r\n\r\nX\r\n")
    )
    empty = compile_text("BYE sip:a SIP/2.0\nContent-Length: [len]\n")
    assert "Content-Length:     0\r\n\r\n" in empty.bind(context(1, 5060, 6000, 5060)).render(FakeCall())


def test_offsets_and_per_call_keywords():
    template = compile_text(
        "BYE sip:a SIP/2.0\nX: [branch] [branch-1] [cseq] [cseq+1] [remote_port+1] [local_port+2]\n"
        "Y: [call_number] [call_id] [pid] [sipp_version] [users] [userid] [msg_index]\n"
    )
    text = template.bind(context(9652, 5060, 6000, 5399)).render(FakeCall(call_id="cid"))
    assert "X: z9hG4bK-9652-1-0 z9hG4bK-9652-1--1 0 1 5400 5062\r\n" in text
    assert "Y: 1 cid 9652 3.6.1 -1 0 0\r\n" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[call_number]", "7"),
        ("[call_id]", "c{1}d"),
        ("[cseq+1]", "4"),
        ("[branch+2]", "z9hG4bK-9652-7-7"),
        ("[userid]", "0"),
        ("[msg_index]", "5"),
        ("[peer_tag_param]", ";tag=t{x}"),
    ],
)
def test_per_call_keywords_written_into_the_render_code_render_as_when_called(text, expected):
    call = FakeCall(number=7, call_id="c{1}d", index=5)
    call.cseq, call.peer_tag = 3, "t{x}"
    ctx = context(9652, 5060, 6000, 5060)
    rendered = compile_text(f"A sip:a SIP/2.0\nX: {text}\n").bind(ctx).render(call)
    assert f"X: {expected}\r\n" in rendered
    (keyword,) = tokenize(text)
    assert make_renderer(keyword, ctx)(call) == expected


def test_peer_tag_param_is_empty_before_the_peer_tag_is_known():
    bound = compile_text("ACK sip:a SIP/2.0\nTo: <sip:b>[peer_tag_param]\n").bind(
        context(1, 5060, 6000, 5060)
    )
    assert "To: <sip:b>\r\n" in bound.render(FakeCall())


def test_branch_in_an_action_counts_from_the_step_before_the_actions():
    call = FakeCall(number=3, index=8)
    call.index = 6
    ctx = context(9652, 5060, 6000, 5060)
    ctx.in_action = True
    assert (
        compile_text("[branch] [branch+1] [msg_index]")
        .bind(ctx)
        .render(call)
        .startswith("z9hG4bK-9652-3-5 z9hG4bK-9652-3-6 -2")
    )


def test_date_is_the_current_time_as_an_http_date():
    template = compile_text("OPTIONS sip:a SIP/2.0\nDate: [date]\n")
    before = email.utils.formatdate(usegmt=True)
    text = template.bind(context(1, 5060, 6000, 5060)).render(FakeCall())
    after = email.utils.formatdate(usegmt=True)
    date = text.split("Date: ")[1].split("\r\n")[0]
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", date)
    assert date in (before, after)


def test_empty_keyword_alone_on_a_line_removes_the_line_but_not_mid_line():
    template = compile_text("SIP/2.0 200 OK\n[last_Record-Route:]\n[last_Via:]\nA: [last_X:];tag=x\nB: 1\n")
    last = "INVITE sip:a SIP/2.0\r\nVia: v1\r\nTo: t\r\n\r\n"
    text = template.bind(context(1, 5060, 6000, 5060)).render(FakeCall(last=last))
    assert text == "SIP/2.0 200 OK\r\nVia: v1\r\nA: ;tag=x\r\nB: 1\r\n\r\n"


def test_dynamic_id_and_custom_keys_and_hex_escape():
    ctx = context(1, 5060, 6000, 5060)
    ctx.custom = {"mykey": "val", "empty": ""}
    template = compile_text(
        "INFO sip:a SIP/2.0\nX: [dynamic_id] [dynamic_id] [mykey]|[empty]| \\x5bnot]\n",
        custom=("mykey", "empty"),
    )
    text = template.bind(ctx).render(FakeCall())
    assert "X: 10000 10004 val|| [not]\r\n" in text


def test_unknown_keyword_is_rejected():
    with pytest.raises(TemplateSyntaxError, match="Unsupported keyword 'nosuchkw'"):
        compile_text("INFO sip:a SIP/2.0\nX: [nosuchkw]\n")


def test_tokenizer_bracket_rules():
    assert tokenize("a [b [c] d") == ["a [b ", Keyword("c", 0, (), "[c]"), " d"]
    assert tokenize('x [field0 line="[$a]"] y')[1].params == (("line", "[$a]"),)
    assert tokenize("unterminated [abc") == ["unterminated [abc"]


@pytest.mark.parametrize(
    ("text", "last", "expected"),
    [
        # two empty keywords on consecutive lines: both lines go
        ("A sip:a SIP/2.0\n[last_X:]\n[last_Y:]\nB: 1\n", "", "A sip:a SIP/2.0\r\nB: 1\r\n\r\n"),
        # adjacent keywords: the second decides whether the rest of its line is stripped
        (
            "A sip:a SIP/2.0\n[last_X:][last_Y:]\nB: 1\n",
            "Y: y\r\n",
            "A sip:a SIP/2.0\r\nY: y\r\nB: 1\r\n\r\n",
        ),
        # a present header keeps its line break
        ("A sip:a SIP/2.0\n[last_Y:]\nB: 1\n", "Y: y\r\n", "A sip:a SIP/2.0\r\nY: y\r\nB: 1\r\n\r\n"),
        # empty keyword after a non-removing keyword ending its line: the test looks back to it
        (
            "A sip:a SIP/2.0\nC: [call_number]\n[last_X:]\nB: 1\n",
            "",
            "A sip:a SIP/2.0\r\nC: 1\r\nB: 1\r\n\r\n",
        ),
    ],
)
def test_empty_line_rule_with_neighbouring_keywords(text, last, expected):
    message = "INVITE sip:a SIP/2.0\r\nTo: t\r\n" + last + "\r\n"
    rendered = compile_text(text).bind(context(1, 5060, 6000, 5060)).render(FakeCall(last=message))
    assert rendered == expected


def test_len_in_the_header_or_in_the_body_counts_the_body_as_sipp():
    """One `[len]`: rendered around it. In the body, its own 5 columns count (SIPp fills it after)."""

    def rendered(text: str) -> str:
        bound = Template.compile(normalize_cdata(text, True), lambda keyword: True).bind(
            context(1, 5060, 6000, 5060)
        )
        return bound.render(None)

    assert rendered("MESSAGE sip:a SIP/2.0\nContent-Length: [len]\n\nhello\n").endswith(
        "Content-Length:     7\r\n\r\nhello\r\n"
    )
    assert rendered("MESSAGE sip:a SIP/2.0\nContent-Length: [len+2]\n\nhello\n").endswith(
        "Content-Length:     9\r\n\r\nhello\r\n"
    )
    assert rendered("MESSAGE sip:a SIP/2.0\nX: 1\n\nlength=[len+1]\n") == (
        "MESSAGE sip:a SIP/2.0\r\nX: 1\r\n\r\nlength=   15\r\n"
    )
    assert (
        rendered("MESSAGE sip:a SIP/2.0\nL: [len] [len]\n\nab")
        == "MESSAGE sip:a SIP/2.0\r\nL:     2     2\r\n\r\nab"
    )


def test_len_follows_a_body_that_changes_from_call_to_call():
    bound = compile_text("MESSAGE sip:a SIP/2.0\nContent-Length: [len-1]\n\nn=[call_number]\n").bind(
        context(1, 5060, 6000, 5060)
    )
    assert bound.render(FakeCall(number=7)).endswith("Content-Length:     4\r\n\r\nn=7\r\n")
    assert bound.render(FakeCall(number=1234)).endswith("Content-Length:     7\r\n\r\nn=1234\r\n")
