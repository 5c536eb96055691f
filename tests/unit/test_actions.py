"""Every action run against a fake call: values, failures, SIPp's warning texts (checked against
sipp 3.6.1 where it has the action), and the parse-time errors of `parse_actions`."""

import time

import pytest
from lxml import etree

from sipperf.errors import ScenarioError
from sipperf.scenario.actions import (
    Action,
    c_strcmp,
    header_text,
    parse_actions,
    run_actions,
    url_decode,
    url_encode,
)
from sipperf.scenario.template import Keyword, Template
from sipperf.scenario.variables import Scope, Value, VariableNames, render
from sipperf.sip.digest import response

INVITE = (
    "INVITE sip:bob@c.d SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1-1-0\r\n"
    'From: "Tom Jones" <sip:tom@a.b>;tag=123\r\n'
    "To: <sip:bob@c.d>\r\n"
    "Call-ID: abc@10.0.0.1\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:a@b>\r\n"
    "contact: <sip:second@b>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 18\r\n"
    "\r\n"
    "v=0\r\n"
    "c=IN IP4 1.2.3.4\r\n"
)


class FakeCall:
    """An ActionContext recording what the actions asked for."""

    def __init__(self, message: str = INVITE, step_index: int = 1) -> None:
        self.step_index = step_index
        self.message = message
        self.tables: dict[Scope, dict[str, Value]] = {scope: {} for scope in Scope}
        self.warnings: list[str] = []
        self.logs: list[str] = []
        self.errors: list[str] = []
        self.did: list[tuple] = []

    def variables(self, scope: Scope) -> dict[str, Value]:
        return self.tables[scope]

    def __getitem__(self, name: str) -> Value | None:
        return self.tables[Scope.CALL].get(name)

    def render(self, template: object) -> str:
        assert isinstance(template, Template)
        return "".join(render(self[t.name[1:]]) if isinstance(t, Keyword) else t for t in template.tokens)

    def warning(self, text: str) -> None:
        self.warnings.append(text)

    def log(self, text: str) -> None:
        self.logs.append(text)

    def error(self, text: str) -> None:
        self.errors.append(text)

    def jump(self, index: int) -> None:
        self.did.append(("jump", index))

    def stop_call(self) -> None:
        self.did.append(("stop_call",))

    def stop_gracefully(self) -> None:
        self.did.append(("stop_gracefully",))

    def stop_now(self) -> None:
        self.did.append(("stop_now",))

    def run_command(self, command: str) -> None:
        self.did.append(("command", command))

    def set_dest(self, host: str, port: int, protocol: str) -> None:
        self.did.append(("set_dest", host, port, protocol))

    def close_connection(self) -> None:
        self.did.append(("close",))

    def pause_restore(self, ms: float) -> None:
        self.did.append(("pause_restore", ms))


def parse(
    xml: str, names: VariableNames | None = None, step_index: int = 1, count: int = 4, parent: str = "nop"
) -> tuple[Action, ...]:
    el = etree.fromstring(f"<{parent}><action>{xml}</action></{parent}>")
    return parse_actions(
        el[0],
        "s.xml",
        names or VariableNames("s.xml"),
        lambda text, line: Template.compile(text, lambda kw: True),
        step_index,
        lambda: count,
        read_attrs=lambda e: dict(e.attrib),
    )


def run(xml: str, call: FakeCall | None = None, **kwargs) -> tuple[FakeCall, str | None]:
    call = call or FakeCall()
    return call, run_actions(parse(xml, step_index=call.step_index, **kwargs), call)


def refused(xml: str, **kwargs) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse(xml, **kwargs)
    return caught.value.what


# -- ereg ----------------------------------------------------------------------------------------
def test_ereg_in_the_whole_message_assigns_the_match_and_its_groups():
    call, failure = run('<ereg regexp="CSeq: ([0-9]+) ([A-Z]+)" assign_to="all,num,method"/>')
    assert failure is None
    assert (call["all"], call["num"], call["method"]) == ("CSeq: 1 INVITE", "1", "INVITE")


def test_ereg_is_posix_leftmost_longest_and_dot_matches_newlines():
    call = FakeCall()
    call.tables[Scope.CALL]["v"] = "abcd"
    run(
        '<ereg regexp="a|ab|abc" search_in="var" variable="v" assign_to="m"/>'
        '<ereg regexp="0..c=" search_in="body" assign_to="n"/>',
        call,
    )
    assert call["m"] == "abc" and call["n"] == "0\r\nc="


@pytest.mark.parametrize(
    ("attrs", "value"),
    [
        ('header="To"', 'm Jones" <sip:tom@a.b>;tag=123'),  # found inside From: "Tom... (regress 0238)
        ('header="To" start_line="true"', ": <sip:bob@c.d>"),
        ('header="Contact:"', " <sip:a@b>"),
        ('header="Contact:" occurrence="2"', ""),  # case-sensitive: one Contact: only
        ('header="contact:" case_indep="true" occurrence="2"', " <sip:second@b>"),
        ('header="contact:" case_indep="true" start_line="true" occurence="2"', " <sip:second@b>"),
        ('header="C" occurrence="2"', "Seq: 1 INVITE"),  # Call-ID, then CSeq
        ('header="c" case_indep="true" occurrence="4"', "all-ID: abc@10.0.0.1"),  # c.d, branch, c.d, Call-ID
        ('header="X-None:"', ""),
    ],
)
def test_ereg_header_search_is_sipps_substring_search(attrs, value):
    call, _ = run(f'<ereg regexp="^.*$" search_in="hdr" {attrs} assign_to="h,_"/>')
    assert call["h"] == value


def test_header_text_stops_at_the_line_end_and_reads_2048_bytes_at_most():
    assert header_text("A: x\r\n y\r\n", "A:", False, 1, True) == " x"
    assert len(header_text("A: " + "x" * 5000 + "\r\n", "A:", False, 1, False)) == 2048


def test_ereg_search_in_body_and_in_a_variable():
    call, _ = run(
        '<ereg regexp="c=IN IP4 ([0-9.]+)" search_in="body" assign_to="c,ip"/>'
        '<ereg regexp="[0-9]+$" search_in="var" variable="ip" assign_to="last"/>'
        '<ereg regexp="." search_in="var" variable="unset" assign_to="none"/>'
    )
    assert (call["ip"], call["last"], call["none"]) == ("1.2.3.4", "4", None)


def test_ereg_no_match_keeps_previous_values_and_extra_targets_stay_unset():
    call = FakeCall()
    call.tables[Scope.CALL]["x"] = "before"
    run(
        '<ereg regexp="nothing-like-this" assign_to="x"/><ereg regexp="(Z)?(INVITE)" assign_to="a,b,c,d"/>',
        call,
    )
    assert call["x"] == "before"
    assert (call["a"], call["b"], call["c"], call["d"]) == ("INVITE", "", "INVITE", None)


def test_ereg_check_it_failures_and_their_warnings():
    call, failure = run('<ereg regexp="^BYE" check_it="true" assign_to="x"/>')
    assert failure == "FailedRegexpDoesntMatch"
    assert call.warnings == [f"Failed regexp match: looking in '{INVITE}', with regexp '^BYE'"]
    call, failure = run('<ereg regexp="^INVITE" check_it_inverse="true" assign_to="x"/>')
    assert failure == "FailedRegexpShouldntMatch"
    assert call.warnings == [f"Regexp matched but should not: looking in '{INVITE}', with regexp '^INVITE'"]
    call, failure = run('<ereg regexp="." search_in="hdr" header="X-Foo:" check_it="true" assign_to="x"/>')
    assert failure == "FailedRegexpHdrNotFound"
    assert call.warnings == [f"Failed regexp match: header X-Foo: not found in message\n{INVITE}\n"]
    call, failure = run(
        '<ereg regexp="." search_in="body" check_it="true" assign_to="x"/>', FakeCall("BYE sip:a SIP/2.0\r\n")
    )
    assert failure == "FailedRegexpHdrNotFound"
    assert call.warnings == ["Failed regexp match: body not found in message\nBYE sip:a SIP/2.0\r\n\n"]


def test_ereg_without_check_it_never_fails():
    call, failure = run(
        '<ereg regexp="." search_in="hdr" header="X-Foo:" assign_to="x"/>'
        '<ereg regexp="^$" search_in="hdr" header="X-Foo:" assign_to="empty"/>'
    )
    assert failure is None and call.warnings == [] and call["empty"] == ""


def test_ereg_with_more_than_nine_groups_is_fatal_when_it_runs():
    call, _ = run('<ereg regexp="(a)" assign_to="a,b,c,d,e,f,g,h,i,j,k"/>')
    assert call.errors == ["You can only have nine sub expressions!"]


# -- block, logging, exec ------------------------------------------------------------------------
def test_the_first_failure_stops_the_block():
    call, failure = run(
        '<assign assign_to="n" value="1"/>'
        '<ereg regexp="^BYE" check_it="true" assign_to="x"/>'
        '<assign assign_to="after" value="1"/>'
    )
    assert failure == "FailedRegexpDoesntMatch" and call["n"] == 1.0 and call["after"] is None


def test_log_warning_and_error_render_their_message():
    call, _ = run(
        '<assign assign_to="n" value="3"/><log message="n=[$n]"/><warning message="w [$n]"/>'
        '<error message="e [$n]"/>'
    )
    assert (call.logs, call.warnings, call.errors) == (["n=3.000000"], ["w 3.000000"], ["e 3.000000"])


@pytest.mark.parametrize(
    ("xml", "did", "failure"),
    [
        ('<exec command="echo [$n] &gt; /tmp/f"/>', ("command", "echo 3.000000 > /tmp/f"), None),
        ('<exec int_cmd="stop_call"/>', ("stop_call",), "FailedCallRejected"),
        ('<exec int_cmd="anything"/>', ("stop_call",), "FailedCallRejected"),  # SIPp's default
        ('<exec int_cmd="stop_gracefully"/>', ("stop_gracefully",), None),
        ('<exec int_cmd="stop_now"/>', ("stop_now",), None),
        ("<closecon/>", ("close",), None),
    ],
)
def test_exec_and_closecon(xml, did, failure):
    call, got = run('<assign assign_to="n" value="3"/>' + xml)
    assert call.did == [did] and got == failure


# -- variables -----------------------------------------------------------------------------------
def test_arithmetic_reads_the_target_as_a_double():
    call = FakeCall()
    call.tables[Scope.CALL].update(s="12", g=2.0)
    run(
        '<add assign_to="s" value="1.5"/><assign assign_to="n" value="3"/><add assign_to="n" value="1.5"/>'
        '<subtract assign_to="n" variable="g"/><multiply assign_to="n" value="2"/>'
        '<divide assign_to="n" value="4"/>',
        call,
    )
    assert call["s"] == 1.5 and call["n"] == 1.25 and render(call["n"]) == "1.250000"


def test_divide_by_a_zero_variable_warns_and_keeps_the_value():
    names = VariableNames("s.xml")
    names.use("n", 1)  # n is SIPp's variable 1 (id 258), z variable 2 (id 514)
    call, failure = run('<assign assign_to="n" value="3"/><divide assign_to="n" variable="z"/>', names=names)
    assert failure is None and call["n"] == 3.0
    assert call.warnings == ["Action failure: Can not divide by zero ($258/$514)!\n"]


def test_assignstr_trim_and_string_reads():
    call, _ = run(
        '<assign assign_to="n" value="2"/><assignstr assign_to="s" value=" \t[$n] x \n"/>'
        '<trim assign_to="s"/><trim assign_to="n"/><trim assign_to="never"/>'
    )
    assert (call["s"], call["n"], call["never"]) == ("2.000000 x", "", "")


def test_url_encode_and_decode_as_sipp():
    assert url_encode("user1@127.0.0.1:5060") == "user1%40127.0.0.1%3A5060"
    assert url_encode("string with spaces~_.-") == "string%20with%20spaces~_.-"
    assert url_encode("\xc3\xbbtf8") == "%C3%BBtf8"  # UTF-8 bytes as latin-1 text
    assert url_decode("user1%40127%2E0%2e0%2e1%3a5060") == "user1@127.0.0.1:5060"
    assert url_decode("a+b%20c") == "a b c"
    assert url_decode("%C3%bbtf8") == "\xc3\xbbtf8"
    call, _ = run(
        '<assignstr assign_to="u" value="a b"/><urlencode variable="u"/><assignstr assign_to="d" '
        'value="x%41"/><urldecode variable="d"/>'
    )
    assert (call["u"], call["d"]) == ("a%20b", "xA")


def test_sample_index_and_gettimeofday():
    before = time.time()
    call, _ = run(
        '<sample assign_to="s" distribution="fixed" value="5"/><index assign_to="i"/>'
        '<gettimeofday assign_to="sec,usec"/>',
        FakeCall(step_index=7),
    )
    assert call["s"] == 5.0 and call["i"] == 7.0
    assert before - 1 <= call["sec"] <= time.time() and 0 <= call["usec"] < 1e6
    assert call["sec"] == int(call["sec"]) and call["usec"] == int(call["usec"])


def test_todouble_converts_or_warns_with_sipp_ids():
    names = VariableNames("s.xml")
    call, _ = run(
        '<assignstr assign_to="s" value="12.5"/><todouble assign_to="d" variable="s"/>'
        '<assignstr assign_to="s" value="12abc"/><todouble assign_to="e" variable="s"/>',
        names=names,
    )
    assert call["d"] == 12.5 and call["e"] is None
    assert call.warnings == ["Invalid double conversion from $258 to $770"]  # s is 1, e is 3


@pytest.mark.parametrize(
    ("compare", "value", "result"),
    [
        ("equal", "3", True),
        ("not_equal", "3", False),
        ("greater_than", "2", True),
        ("less_than", "2", False),
        ("greater_than_equal", "3", True),
        ("less_than_equal", "2.5", False),
    ],
)
def test_test_compares_doubles(compare, value, result):
    call, _ = run(
        f'<assign assign_to="n" value="3"/><test assign_to="b" variable="n" compare="{compare}" '
        f'value="{value}"/>'
    )
    assert call["b"] is result


def test_test_check_it_warnings_as_sipp_3_6_1():
    call, failure = run(
        '<assign assign_to="n" value="-0.1"/>'
        '<test variable="n" compare="greater_than" variable2="m" check_it="true"/>'
    )
    assert failure == "FailedTestDoesntMatch" and call["b"] is None
    assert call.warnings == ['test "n:-0.100000 > m:0.000000" with check_it failed']
    call, failure = run(
        '<assign assign_to="n" value="3"/>'
        '<test variable="n" compare="less_than" value="4" check_it_inverse="true"/>'
    )
    assert failure == "FailedTestShouldntMatch"
    assert call.warnings == ['test "n:3.000000 < :4.000000" with check_it_inverse failed']


def test_strcmp_is_c_strcmp():
    assert (c_strcmp("abc", "abd"), c_strcmp("a", "c"), c_strcmp("abc", "a"), c_strcmp("a", "abc")) == (
        -1,
        -2,
        98,
        -98,
    )
    call, _ = run(
        '<assignstr assign_to="a" value="abc"/><strcmp assign_to="r" variable="a" value="abc"/>'
        '<strcmp assign_to="q" variable="a" variable2="unset"/>'
    )
    assert (call["r"], call["q"]) == (0.0, 97.0)


def test_strcmp_check_it_warnings_as_sipp_3_6_1():
    call, failure = run(
        '<assignstr assign_to="a" value="abc"/><strcmp variable="a" value="x" check_it="true"/>'
    )
    assert failure == "FailedStrcmpDoesntMatch"
    assert call.warnings == ['strcmp a:"abc" and :"x" with check_it returned -23']
    call, failure = run(
        '<assignstr assign_to="a" value="abc"/><strcmp variable="a" variable2="a" check_it_inverse="true"/>'
    )
    assert failure == "FailedStrcmpShouldntMatch"
    assert call.warnings == ['strcmp a:"abc" and a:"abc" with check_it_inverse returned 0']


# -- control flow, network, authentication -------------------------------------------------------
def test_jump_targets_and_its_fatal_errors():
    call, _ = run('<jump value="1.9"/>', FakeCall(step_index=0))
    assert call.did == [("jump", 1)] and call.errors == []
    call, _ = run('<assign assign_to="t" value="4"/><jump variable="t"/>', FakeCall(step_index=0), count=4)
    assert call.did == [("jump", 4)]  # the step count: the end of the scenario
    call, _ = run('<assign assign_to="t" value="5"/><jump variable="t"/>', FakeCall(step_index=0), count=4)
    assert call.errors == ["Jump statement out of range (not 0 <= 5 <= 4)"]
    call, _ = run('<assign assign_to="t" value="2"/><jump variable="t"/>', FakeCall(step_index=2))
    assert call.errors == ["Jump statement at index 2 jumps to itself and causes an infinite loop"]


def test_pauserestore():
    call, _ = run('<pauserestore value="1500"/><assign assign_to="p" value="7"/><pauserestore variable="p"/>')
    assert call.did == [("pause_restore", 1500.0), ("pause_restore", 7.0)]


def test_setdest_renders_host_port_and_protocol():
    call, _ = run(
        '<assign assign_to="p" value="5070"/><assignstr assign_to="h" value="10.0.0.2"/>'
        '<setdest host="[$h]" port="[$p]" protocol="UDP"/>'
    )
    assert call.did == [("set_dest", "10.0.0.2", 5070, "udp")]
    call, _ = run('<setdest host="h" port="50x" protocol="udp"/><setdest host="h" port="1" protocol="ws"/>')
    assert call.errors == ["Invalid port for setdest: 50x", "Unknown transport for setdest: 'ws'"]


def _register(password: str) -> str:
    digest = response("MD5", "alice", password, "REGISTER", "sip:example.com", "example.com", "n0nce")
    return (
        "REGISTER sip:example.com SIP/2.0\r\nCSeq: 2 REGISTER\r\n"
        f'Authorization: Digest username="alice", realm="example.com", nonce="n0nce", '
        f'uri="sip:example.com", response="{digest}", algorithm=MD5\r\nContent-Length: 0\r\n\r\n'
    )


@pytest.mark.parametrize(("sent", "ok"), [("secret", True), ("wrong", False)])
def test_verifyauth(sent, ok):
    call, _ = run(
        '<assignstr assign_to="pw" value="secret"/>'
        '<verifyauth assign_to="ok" username="alice" password="[$pw]"/>',
        FakeCall(_register(sent)),
    )
    assert call["ok"] is ok and call.warnings == []


def test_verifyauth_without_credentials_or_method():
    call, _ = run('<verifyauth assign_to="ok" username="u" password="p"/>')
    assert call["ok"] is False
    assert call.warnings == ["verifyAuthHeader: authentication must be digest is "]
    call, _ = run('<verifyauth assign_to="ok" username="u" password="p"/>', FakeCall("NOSPACE\r\nA b\r\n"))
    assert call["ok"] is False and call.warnings == []


# -- parse errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("xml", "what"),
    [
        ("<bogus/>", "Unknown action: bogus"),
        ('<ereg assign_to="x"/>', "ereg is missing the required 'regexp' parameter."),
        (
            '<ereg regexp="(" assign_to="x"/>',
            "recomp error : regular expression '(' - error 'Unmatched ( or \\('",
        ),
        ('<ereg regexp="a"/>', "assign_to value is missing"),
        (
            '<ereg regexp="a" assign_to="x" check_it="true" check_it_inverse="false"/>',
            "Can not have both check_it and check_it_inverse for ereg!",
        ),
        (
            '<ereg regexp="a" assign_to="x" check_it="maybe"/>',
            "ereg 'check_it' parameter, \"maybe\" is not a valid boolean!",
        ),
        ('<ereg regexp="a" search_in="foo" assign_to="x"/>', "Unknown search_in value foo"),
        (
            '<ereg regexp="a" search_in="hdr" header="" assign_to="x"/>',
            'search_in="hdr" requires header field',
        ),
        (
            '<ereg regexp="a" search_in="var" assign_to="x"/>',
            "ereg is missing the required 'variable' variable parameter.",
        ),
        (
            '<ereg regexp="a" assign_to="x,y,"/>',
            "Transaction names may not be empty for sub expression assign_to",
        ),
        ("<log/>", "log is missing the required 'message' parameter."),
        ("<index/>", "index is missing the required 'assign_to' variable parameter."),
        (
            '<add assign_to="x" value="1" variable="y"/>',
            "Value and variable are mutually exclusive for add action!",
        ),
        ('<add assign_to="x"/>', "No value or variable defined for add action!"),
        (
            '<add assign_to="x" value="abc"/>',
            "add 'value' parameter, \"abc\" is not a floating point number!",
        ),
        ('<divide assign_to="x" value="0"/>', "divide actions can not have a value of zero!"),
        ('<gettimeofday assign_to="x"/>', "The gettimeofday action requires two output variables!"),
        ('<test assign_to="x" variable="y" compare="eq" value="1"/>', "Invalid 'compare' parameter: eq"),
        (
            '<test assign_to="x" variable="y" compare="equal" value="1" variable2="z"/>',
            "Can not have both a value and a variable2 for test!",
        ),
        (
            '<test assign_to="x" variable="y" compare="equal"/>',
            "test is missing the required 'variable2' variable parameter.",
        ),
        (
            '<test variable="y" compare="equal" value="1" check_it="1" check_it_inverse="0"/>',
            "Can not have both check_it and check_it_inverse for test!",
        ),
        (
            '<strcmp assign_to="x" variable="y"/>',
            "strcmp is missing the required 'variable2' variable parameter.",
        ),
        (
            '<sample assign_to="x"/>',
            "statistically distributed actions or pauses requires 'distribution' parameter",
        ),
        (
            '<verifyauth assign_to="x" username="u"/>',
            "verifyauth is missing the required 'password' parameter.",
        ),
        ('<setdest host="h" port="1"/>', "setdest is missing the required 'protocol' parameter."),
        ("<pauserestore/>", "No value or variable defined for pauserestore action!"),
        ("<exec/>", "illegal <exec> in the scenario"),
        ('<jump value="1"/>', "Jump statement at index 1 jumps to itself and causes an infinite loop"),
        ('<lookup file="f.csv" key="k"/>', "lookup is missing the required 'assign_to' variable parameter."),
        ('<lookup assign_to="x" key="k"/>', "lookup is missing the required 'file' parameter."),
        ('<insert file="f.csv"/>', "insert is missing the required 'value' parameter."),
        ('<replace file="f.csv" value="v"/>', "replace is missing the required 'line' parameter."),
        (
            '<exec play_pcap_audio="/no/such.pcap"/>',
            "Can't open PCAP file '/no/such.pcap': /no/such.pcap: No such file or directory",
        ),
        ('<exec play_pcap_video="[key]"/>', "<exec play_pcap_video> is not supported yet"),
        ('<exec play_dtmf="12"/>', "<exec play_dtmf> is not supported yet"),
        ('<exec rtp_stream="/no/such.wav,1,0"/>', "Cannot read/cache rtpstream file /no/such.wav"),
        ('<exec rtp_stream="pause"/>', "<exec rtp_stream> is not supported yet"),
        ('<exec rtp_echo="startaudio,0,PCMU/8000"/>', "<exec rtp_echo> is not supported yet"),
        ('<rtp_echo value="1"/>', "<rtp_echo> is not supported yet"),
    ],
)
def test_parse_errors_are_sipps(xml, what):
    assert refused(xml) == what


def test_a_jump_to_its_own_recv_is_left_to_run_time():
    (jump,) = parse('<jump value="1"/>', parent="recv")
    assert (
        jump.range_error(4) is None and jump.range_error(0) == "Jump statement out of range (not 0 <= 1 <= 0)"
    )


def test_parse_counts_variable_uses_in_sipp_order():
    names = VariableNames("s.xml")
    parse(
        '<ereg regexp="(a)" search_in="var" variable="v" assign_to="m,g"/><test assign_to="t" variable="m" '
        'compare="equal" variable2="g"/>',
        names,
    )
    assert [names.use(n, 9).number for n in ("v", "m", "g", "t")] == [1, 2, 3, 4]
    names.check()
