"""The scenario language through the `sipperf` command, with real SIPp 3.6.1 as the reference: each
test writes a small client scenario, runs it with sipperf and with SIPp side by side (the same
arguments, the same peer), and compares what their `<log>` actions wrote (`-trace_logs`), what they
counted (`-trace_stat`) and their exit codes, against each other and against the values expected.

The peer is SIPp running a small server scenario when the client needs an answer, else the test's own
UDP recorder. Variables, arithmetic, comparisons, `ereg`, check_it failures, control flow
(`next`/`test`/`chance`, `condexec`, `<jump>`, `_unexp.main`), `<init>` and `-set` are here;
`test_scenario_actions.py` has exec, pauses, setdest and regexp recvs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.interop.helpers import Processes, run_tool
from tests.interop.language import (
    OPTIONS_200,
    TOOLS,
    Recorder,
    action_log,
    error_log,
    exit_codes,
    failure_counters,
    logged_alike,
    request,
    response,
    run_clients,
    scenario,
    sipp_server,
)

# -- variables -------------------------------------------------------------------------------------
VARIABLES = scenario("variables", """\
  <nop><action>
    <assign assign_to="a" value="3"/>
    <log message="assign [$a]"/>
    <add assign_to="a" value="2.5"/>
    <log message="add [$a]"/>
    <subtract assign_to="a" value="1"/>
    <log message="subtract [$a]"/>
    <multiply assign_to="a" value="-2"/>
    <log message="multiply [$a]"/>
    <divide assign_to="a" value="4"/>
    <log message="divide [$a]"/>
    <assign assign_to="zero" value="0"/>
    <divide assign_to="a" variable="zero"/>
    <log message="divide by zero [$a], zero renders [$zero]|"/>
    <sample assign_to="s" distribution="fixed" value="42"/>
    <log message="sample [$s]"/>
    <assignstr assign_to="str" value=" 12.5 "/>
    <log message="assignstr [$str]|"/>
    <trim assign_to="str"/>
    <log message="trim [$str]|"/>
    <todouble assign_to="d" variable="str"/>
    <log message="todouble [$d]"/>
    <test assign_to="eq" variable="d" compare="equal" value="12.5"/>
    <test assign_to="ne" variable="d" compare="not_equal" value="12.5"/>
    <test assign_to="gt" variable="d" compare="greater_than" variable2="a"/>
    <test assign_to="lt" variable="d" compare="less_than" value="12.5"/>
    <test assign_to="ge" variable="d" compare="greater_than_equal" value="12.5"/>
    <test assign_to="le" variable="d" compare="less_than_equal" value="12"/>
    <log message="test [$eq] [$ne] [$gt] [$lt] [$ge] [$le]"/>
    <strcmp assign_to="same" variable="str" value="12.5"/>
    <strcmp assign_to="below" variable="str" value="12.4"/>
    <strcmp assign_to="double" variable="str" variable2="s"/>
    <log message="strcmp [$same]|[$below]|[$double]"/>
  </action></nop>
  <nop><action>
    <index assign_to="i"/>
    <assignstr assign_to="k" value="[call_number] [cseq] [msg_index] [branch] [$a]"/>
    <log message="index [$i] keywords [$k] unset [$nothing]|[$nothing]"/>
    <gettimeofday assign_to="sec,usec"/>
    <log message="time [$sec] [$usec]"/>
  </action></nop>
""" + request("MESSAGE"))  # fmt: skip


def test_variables_and_arithmetic_log_what_sipp_logs(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    started = time.time()
    clients = run_clients(procs, ports, VARIABLES, recorder().port, "-m", "1", "-trace_logs", "-trace_err")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    logs = {}
    for tool, proc in clients.items():
        *lines, clock = action_log(proc, "variables")
        seconds, microseconds = re.fullmatch(r"time (\d+)\.000000 (\d*)(?:\.000000)?", clock).groups()
        assert started - 1 <= int(seconds) <= time.time() + 1 and int(microseconds or 0) < 1_000_000, tool
        logs[tool] = lines
    assert logs["sipperf"] == logs["sipp"]
    assert logs["sipperf"] == [
        "assign 3.000000",
        "add 5.500000",
        "subtract 4.500000",
        "multiply -9.000000",
        "divide -2.250000",
        "divide by zero -2.250000, zero renders |",  # a zero double renders nothing
        "sample 42.000000",
        "assignstr  12.5 |",
        "trim 12.5|",
        "todouble 12.500000",
        "test true false true false true false",
        "strcmp |1.000000|49.000000",  # equal: 0, which renders nothing; a double reads as ""
        # actions render [msg_index] as -2 and [branch] from the step before theirs
        "index 1.000000 keywords 1 0 -2 z9hG4bK-PID-1-0 -2.250000 unset |",
    ]
    warnings = {tool: re.findall(r"Can not divide by zero \(\$\d+/\$\d+\)!", error_log(proc, "variables"))
                for tool, proc in clients.items()}  # fmt: skip
    assert warnings["sipperf"] == warnings["sipp"] == ["Can not divide by zero ($258/$514)!"]


URL_CODING = scenario("url_coding", """\
  <nop><action>
    <assignstr assign_to="s" value="a b&amp;c=d/\xe9~-_.+%"/>
    <urlencode variable="s"/>
    <log message="encoded [$s]"/>
    <urldecode variable="s"/>
    <log message="decoded [$s]"/>
    <assignstr assign_to="t" value="x+y%41%2f%7e%"/>
    <urldecode variable="t"/>
    <log message="decoded [$t]|"/>
  </action></nop>
""" + request("MESSAGE"))  # fmt: skip


def test_urlencode_and_urldecode_as_sipp_3_7(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    """SIPp 3.7's actions (3.6.1 has neither): every byte but `A-Za-z0-9-_.~` as `%XX`; `+` decodes to
    a space, `%xx` to its byte, and a `%` without hex digits after it is dropped."""
    clients = run_clients(
        procs, ports, URL_CODING, recorder().port, "-m", "1", "-trace_logs", tools=("sipperf",)
    )
    assert exit_codes(clients) == {"sipperf": 0}
    assert action_log(clients["sipperf"], "url_coding") == [
        "encoded a%20b%26c%3Dd%2F%E9~-_.%2B%25",
        "decoded a b&c=d/\xe9~-_.+%",
        "decoded x yA/~|",
    ]


# -- check_it failures -----------------------------------------------------------------------------
def checked(name: str, actions: str) -> str:
    """OPTIONS, then its 200 runs `actions` between a log before and a log after; a nop logs after."""
    return scenario(name, request("OPTIONS") + f"""\
  <recv response="200"><action>
    <assign assign_to="n" value="2"/><assignstr assign_to="s" value="abc"/><log message="before [$n] [$s]"/>
    {actions}
    <log message="rest of the block"/>
  </action></recv>
  <nop><action><log message="next step"/></action></nop>
""")  # fmt: skip


LOGGED_X = '<log message="[$x]"/>'
FAILURES = {  # the failing action, its counter, SIPp's warning
    "regexp-doesnt-match": (
        '<ereg regexp="zzz" search_in="msg" check_it="true" assign_to="x"/>' + LOGGED_X,
        "FailedRegexpDoesntMatch", "Failed regexp match: looking in 'SIP/2.0 200 OK"),
    "regexp-hdr-not-found": (
        '<ereg regexp=".*" search_in="hdr" header="X-None:" check_it="true" assign_to="x"/>' + LOGGED_X,
        "FailedRegexpHdrNotFound", "Failed regexp match: header X-None: not found in message"),
    "regexp-shouldnt-match": (
        '<ereg regexp="OK" search_in="msg" check_it_inverse="true" assign_to="x"/>' + LOGGED_X,
        "FailedRegexpShouldntMatch", "Regexp matched but should not: looking in 'SIP/2.0 200"),
    "test-doesnt-match": (
        '<test variable="n" compare="greater_than" value="3" check_it="true"/>',
        "FailedTestDoesntMatch", 'test "n:2.000000 > :3.000000" with check_it failed'),
    "test-shouldnt-match": (
        '<test variable="n" compare="equal" variable2="n" check_it_inverse="true"/>',
        "FailedTestShouldntMatch", 'test "n:2.000000 == n:2.000000" with check_it_inverse failed'),
    "strcmp-doesnt-match": (
        '<strcmp variable="s" value="abd" check_it="true"/>',
        "FailedStrcmpDoesntMatch", 'strcmp s:"abc" and :"abd" with check_it returned -1'),
    "strcmp-shouldnt-match": (
        '<strcmp variable="s" value="abc" check_it_inverse="true"/>',
        "FailedStrcmpShouldntMatch", 'strcmp s:"abc" and :"abc" with check_it_inverse returned 0'),
}  # fmt: skip


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failed_check_stops_the_block_and_fails_the_call_as_sipp(
    case: str, procs: Processes, ports: Callable[[], int]
) -> None:
    actions, counter, warning = FAILURES[case]
    server = sipp_server(procs, ports(), OPTIONS_200, 2)
    clients = run_clients(procs, ports, checked("checked", actions), server.port, "-m", "1", "-trace_logs",
                          "-trace_stat")  # fmt: skip
    assert exit_codes(clients) == {"sipperf": 1, "sipp": 1}
    for tool, proc in clients.items():
        # the rest of the block is skipped, the call goes on and fails at its end
        assert action_log(proc, "checked") == ["before 2.000000 abc", "next step"], tool
        assert failure_counters(proc, "checked") == {"FailedCall(C)": "1", f"{counter}(C)": "1"}, tool
        assert warning in proc.stderr, proc.describe()


def test_stop_call_fails_the_call_at_once_as_sipp(procs: Processes, ports: Callable[[], int]) -> None:
    server = sipp_server(procs, ports(), OPTIONS_200, 6)
    text = checked("rejected", '<exec int_cmd="stop_call"/>')
    args = ("-m", "3", "-r", "100", "-trace_logs", "-trace_stat")
    clients = run_clients(procs, ports, text, server.port, *args)
    assert exit_codes(clients) == {"sipperf": 1, "sipp": 1}
    rejected = {"FailedCall(C)": "3", "FailedCallRejected(C)": "3"}
    for tool, proc in clients.items():
        assert action_log(proc, "rejected") == ["before 2.000000 abc"] * 3, tool
        assert failure_counters(proc, "rejected") == rejected, tool


SEND_FAILURE = scenario("send_failure", request("OPTIONS", """
      <assign assign_to="n" value="2"/><log message="sent"/>
      <test variable="n" compare="equal" value="1" check_it="true"/><log message="skipped"/>
      <exec int_cmd="stop_call"/><log message="skipped too"/>""") + """\
  <recv response="200"><action><log message="answered"/></action></recv>
""")  # fmt: skip


def test_failures_in_a_send_block_are_ignored_as_sipp(procs: Processes, ports: Callable[[], int]) -> None:
    """A failed check stops the block of a `<send>`, and nothing more (SIPp 3.6.1 and 3.7 alike)."""
    server = sipp_server(procs, ports(), OPTIONS_200, 2)
    clients = run_clients(procs, ports, SEND_FAILURE, server.port, "-m", "1", "-trace_logs", "-trace_stat")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    for tool, proc in clients.items():
        assert action_log(proc, "send_failure") == ["sent", "answered"], tool
        assert failure_counters(proc, "send_failure") == {"SuccessfulCall(C)": "1"}, tool


@pytest.mark.parametrize(
    ("actions", "code", "counters"),
    [
        ('<test variable="n" compare="equal" value="1" check_it="true"/>', 1,
         {"FailedCall(C)": "1", "FailedTestDoesntMatch(C)": "1"}),
        ('<exec int_cmd="stop_call"/>', 0, {}),
    ],
    ids=["check_it", "stop_call"],
)  # fmt: skip
def test_a_failed_nop_block_counts_as_sipp_3_7(
    actions: str,
    code: int,
    counters: dict[str, str],
    procs: Processes,
    ports: Callable[[], int],
    recorder: Recorder,
) -> None:
    """SIPp 3.6.1 ignores the failures of a `<nop>` block; 3.7.5 fails the call for a failed check
    and leaves a call that a nop stop_call-ed out of the counts (it runs to its end all the same)."""
    text = scenario("nop_failure", f"""\
  <nop><action>
    <assign assign_to="n" value="2"/><log message="nop [$n]"/>{actions}<log message="skipped"/>
  </action></nop>
  <nop><action><log message="next step"/></action></nop>
""" + request("MESSAGE"))  # fmt: skip
    clients = run_clients(procs, ports, text, recorder().port, "-m", "1", "-trace_logs", "-trace_stat",
                          tools=("sipperf",))  # fmt: skip
    assert exit_codes(clients) == {"sipperf": code}
    assert action_log(clients["sipperf"], "nop_failure") == ["nop 2.000000", "next step"]
    assert failure_counters(clients["sipperf"], "nop_failure") == counters


# -- ereg ------------------------------------------------------------------------------------------
CRAFTED_200 = scenario("crafted_200", '  <recv request="OPTIONS"/>\n' + response("200 OK", """\
    Contact: <sip:alice@10.0.0.1:5070;transport=udp>
    X-Multi: first
    x-multi: second
    X-Multi: third
    Subject: aaa bbb aaaa
    Content-Type: text/plain
    Content-Length: [len]

    body-line-1 key=val1
    body-line-2 key=val22"""))  # fmt: skip

EREG = scenario("ereg", request("OPTIONS") + """\
  <recv response="200"><action>
    <ereg regexp="sip:[a-z]{3,}@[0-9.]+:([0-9]+)" search_in="msg" assign_to="m0,m1"/>
    <ereg regexp=".*" search_in="hdr" header="Contact:" assign_to="colon"/>
    <ereg regexp=".*" search_in="hdr" header="Contact" assign_to="bare"/>
    <ereg regexp=".*" search_in="hdr" header="x-multi:" assign_to="exact"/>
    <ereg regexp=".*" search_in="hdr" header="x-multi:" case_indep="true" assign_to="indep"/>
    <ereg regexp=".*" search_in="hdr" header="X-Multi:" occurrence="2" assign_to="second"/>
    <ereg regexp=".*" search_in="hdr" header="X-Multi:" occurrence="2" case_indep="true"
          assign_to="second_indep"/>
    <ereg regexp=".*" search_in="hdr" header="Multi:" assign_to="anywhere"/>
    <ereg regexp=".*" search_in="hdr" header="Multi:" start_line="true" assign_to="line_start"/>
    <ereg regexp=".*" search_in="hdr" header="x-multi:" start_line="true" case_indep="true"
          assign_to="indep_start"/>
    <ereg regexp="key=([a-z0-9]+)" search_in="body" assign_to="b0,b1"/>
    <ereg regexp="(a|aa|aaa)+ b*" search_in="hdr" header="Subject:" assign_to="l0,l1"/>
    <ereg regexp="(x*)(a+)" search_in="var" variable="l0" assign_to="v0,v1,v2"/>
    <ereg regexp="no such text" search_in="msg" assign_to="m0"/>
    <log message="msg [$m0]|[$m1]"/>
    <log message="hdr [$colon]|[$bare]|[$exact]|[$indep]|[$second]|[$second_indep]"/>
    <log message="hdr anywhere [$anywhere]|at a line start [$line_start]|[$indep_start]"/>
    <log message="body [$b0]|[$b1] longest [$l0]|[$l1] var [$v0]|[$v1]|[$v2]"/>
  </action></recv>
""")  # fmt: skip


def test_ereg_extracts_what_sipp_extracts(procs: Processes, ports: Callable[[], int]) -> None:
    server = sipp_server(procs, ports(), CRAFTED_200, 2)
    clients = run_clients(procs, ports, EREG, server.port, "-m", "1", "-trace_logs")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    contact = " <sip:alice@10.0.0.1:5070;transport=udp>"
    assert logged_alike(clients, "ereg") == [
        # groups go to the following variables; no match leaves the variables as they were
        "msg sip:alice@10.0.0.1:5070|5070",
        # the text after the name as written (colon included or not), the n-th occurrence, any case
        f"hdr {contact}|:{contact}| second| first| third| second",
        # without start_line the name is found anywhere, here inside X-Multi
        "hdr anywhere  first|at a line start | first",
        # POSIX leftmost-longest, and its last iteration of a repeated group
        "body key=val1|val1 longest aaa bbb|a var aaa||aaa",
    ]


# -- control flow ----------------------------------------------------------------------------------
FLOW = scenario("flow", """\
  <nop><action>
    <assign assign_to="one" value="1"/>
    <test assign_to="yes" variable="one" compare="equal" value="1"/>
    <test assign_to="no" variable="one" compare="equal" value="2"/>
    <assign assign_to="target" value="15"/>
  </action></nop>
  <nop next="tested" test="no"><action><log message="1 test false: no branch"/></action></nop>
  <nop next="tested" test="yes"><action><log message="2 test true: branch"/></action></nop>
  <nop><action><log message="3 skipped by the branch"/></action></nop>
  <label id="tested"/>
  <nop next="chanced" chance="0"><action><log message="4 chance 0: no branch"/></action></nop>
  <nop next="chanced" chance="1"><action><log message="5 chance 1: branch"/></action></nop>
  <nop><action><log message="6 skipped by the chance"/></action></nop>
  <label id="chanced"/>
  <nop condexec="yes"><action><log message="7 condexec true: runs"/></action></nop>
  <nop condexec="no"><action><log message="8 condexec false: skipped"/></action></nop>
  <nop condexec="no" condexec_inverse="true"><action><log message="9 inverse of false: runs"/></action></nop>
  <nop condexec="yes" condexec_inverse="true"><action><log message="10 inverse of true: no"/></action></nop>
  <nop condexec="unset"><action><log message="11 condexec unset: skipped"/></action></nop>
  <nop><action>
    <log message="12 jump to 14"/><jump value="14"/><log message="12 the block goes on"/>
  </action></nop>
  <nop><action><log message="13 skipped by the jump"/></action></nop>
  <nop><action><log message="14 jump to [$target]"/><jump variable="target"/></action></nop>
  <nop><action><log message="15 target [$unset]|"/></action></nop>
""" + request("MESSAGE"))  # fmt: skip


def test_next_test_chance_condexec_and_jump_as_sipp(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    clients = run_clients(procs, ports, FLOW, recorder().port, "-m", "1", "-trace_logs")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    assert logged_alike(clients, "flow") == [
        "1 test false: no branch",
        "2 test true: branch",
        "4 chance 0: no branch",
        "5 chance 1: branch",
        "7 condexec true: runs",
        "9 inverse of false: runs",
        "12 jump to 14",
        "12 the block goes on",
        "14 jump to 15.000000",
        "15 target |",
    ]


RECV_ACTIONS = scenario("recv_actions", """\
  <nop><action><log message="0 nop [msg_index] [branch] [branch+1] [cseq]"/></action></nop>
""" + request("OPTIONS", '<log message="1 send [msg_index] [branch] [cseq]"/>') + """\
  <recv response="200"><action>
    <log message="2 recv [msg_index] [branch] [cseq] last [last_cseq_number] [last_CSeq:]|"/><jump value="4"/>
  </action></recv>
  <nop><action><log message="3 after the recv [last_cseq_number] [last_CSeq:]"/></action></nop>
  <pause milliseconds="1"><action>
    <log message="4 pause [msg_index] [branch]"/><jump value="6"/>
  </action></pause>
  <nop><action><log message="5 skipped by the jump"/></action></nop>
  <nop><action><log message="6 end"/></action></nop>
""")  # fmt: skip


def test_actions_see_the_call_as_sipp(procs: Processes, ports: Callable[[], int]) -> None:
    """What SIPp's actions see: [msg_index] -2 and [branch] from the step before theirs; on a recv,
    the last message is still the previous one (none here); a recv's <jump> is ignored, as the call
    moves past the recv (in a pause it jumps)."""
    server = sipp_server(procs, ports(), OPTIONS_200, 2)
    clients = run_clients(procs, ports, RECV_ACTIONS, server.port, "-m", "1", "-trace_logs")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    assert logged_alike(clients, "recv_actions") == [
        "0 nop -2 z9hG4bK-PID-1--1 z9hG4bK-PID-1-0 0",
        "1 send -2 z9hG4bK-PID-1-0 1",
        "2 recv -2 z9hG4bK-PID-1-1 1 last 0 |",
        "3 after the recv 1 CSeq: 1 OPTIONS",
        "4 pause -2 z9hG4bK-PID-1-3",
        "6 end",
    ]


UNEXPECTED = scenario("unexpected", request("OPTIONS") + """\
  <recv response="200"><action><log message="200 with retaddr [$_unexp.retaddr]|"/></action></recv>
  <nop next="end"><action><log message="main flow done"/></action></nop>
  <label id="_unexp.main"/>
  <recv response="180"><action>
    <log message="handler: [last_cseq_number] retaddr [$_unexp.retaddr]"/>
  </action></recv>
  <nop><action>
    <jump variable="_unexp.retaddr"/><assign assign_to="_unexp.retaddr" value="0"/><log message="back"/>
  </action></nop>
  <label id="end"/>
""")  # fmt: skip
RINGING_THEN_OK = scenario("ringing_then_ok", '  <recv request="OPTIONS"/>\n'
                           + response("180 Ringing", "Content-Length: 0")
                           + response("200 OK", "Content-Length: 0"))  # fmt: skip


def test_unexpected_messages_go_to_unexp_main_as_sipp(procs: Processes, ports: Callable[[], int]) -> None:
    """The 180 is unexpected at the recv of the 200 (index 1): the call goes to `_unexp.main` with the
    message, `$_unexp.retaddr` = 1, and its `<jump variable="_unexp.retaddr"/>` goes back there."""
    server = sipp_server(procs, ports(), RINGING_THEN_OK, 2)
    clients = run_clients(procs, ports, UNEXPECTED, server.port, "-m", "1", "-trace_logs", "-trace_stat")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    assert logged_alike(clients, "unexpected") == [
        "handler: 0 retaddr 1.000000",
        "back",
        "200 with retaddr |",
        "main flow done",
    ]
    for tool, proc in clients.items():
        assert failure_counters(proc, "unexpected") == {"SuccessfulCall(C)": "1"}, tool


# -- <init>, global variables and -set -------------------------------------------------------------
INIT = scenario("init", """\
  <Global variables="g,h"/>
  <init>
    <nop><action>
      <assign assign_to="g" value="5"/><log message="init [call_number] [msg_index] [branch] g=[$g] h=[$h]"/>
    </action></nop>
    <nop><action><add assign_to="g" value="1"/><log message="init [branch]"/></action></nop>
  </init>
  <nop><action>
    <add assign_to="g" value="10"/><assign assign_to="c" value="1"/>
    <log message="call [call_number] g=[$g] h=[$h] c=[$c]"/>
  </action></nop>
""" + request("MESSAGE"))  # fmt: skip


def test_init_and_global_variables_as_sipp(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    """`<init>` runs once before the calls, as call number 1 (not one of the -m calls); global variables
    (set by it and by -set) are shared by the calls, call variables are not."""
    clients = run_clients(procs, ports, INIT, recorder().port, "-m", "2", "-r", "100", "-set", "h", "hello",
                          "-trace_logs", "-trace_stat")  # fmt: skip
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    assert logged_alike(clients, "init") == [
        "init 1 -2 z9hG4bK-PID-1--1 g=5.000000 h=hello",
        "init z9hG4bK-PID-1-0",
        "call 2 g=16.000000 h=hello c=1.000000",
        "call 3 g=26.000000 h=hello c=1.000000",
    ]
    for tool, proc in clients.items():
        assert failure_counters(proc, "init") == {"SuccessfulCall(C)": "2"}, tool


@pytest.mark.parametrize("tool", TOOLS)
def test_set_of_an_undeclared_global_is_fatal(tool: str, tmp_path: Path) -> None:
    (tmp_path / "init.xml").write_text(INIT, encoding="latin-1")
    result = run_tool(
        tool, "-sf", "init.xml", "127.0.0.1:9", "-p", "0", "-m", "1", "-set", "zz", "1", cwd=tmp_path
    )
    assert result.returncode == 1
    assert "Can not set the global variable zz, because it does not exist." in result.stderr
    assert "Traceback" not in result.stderr


USERS = scenario("users", """\
  <User variables="u"/>
  <nop><action><add assign_to="u" value="1"/><log message="user [userid] u=[$u]"/></action></nop>
""" + request("MESSAGE"))  # fmt: skip


USER_IDS = scenario("userids", """\
  <nop><action><log message="user [userid] of [users]"/></action></nop>
""" + request("MESSAGE"))  # fmt: skip


def test_users_keep_n_calls_with_ids_handed_out_last_first(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    """-users 3: three calls at once, users 3, 2, 1 first, then each freed user starts the next."""
    clients = run_clients(procs, ports, USER_IDS, recorder().port, "-m", "6", "-users", "3", "-trace_logs")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    lines = logged_alike(clients, "userids")
    assert lines[:3] == ["user 3 of 3", "user 2 of 3", "user 1 of 3"]
    assert sorted(lines[3:]) == ["user 1 of 3", "user 2 of 3", "user 3 of 3"]


def test_user_variables_live_as_long_as_the_user(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    clients = run_clients(procs, ports, USERS, recorder().port, "-m", "3", "-users", "1", "-trace_logs")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    assert logged_alike(clients, "users") == [
        "user 1 u=1.000000",
        "user 1 u=2.000000",
        "user 1 u=3.000000",
    ]
