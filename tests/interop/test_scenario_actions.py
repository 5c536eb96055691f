"""Actions that reach outside the call, pauses, setdest and regexp recvs, through the `sipperf`
command, with real SIPp 3.6.1 as the reference (see `language.py` for how the runs are made):
`<exec command>` runs its shell command, `<warning>` reaches -trace_err, `<error>`, stop_now and
stop_gracefully end the run with SIPp's exit codes, `<pause variable>` and a uniform distribution
give calls of the right length, `<setdest>` sends the call elsewhere, and `regexp_match` recvs match
methods (3.6.1) and response codes (3.7.5, which sipperf follows).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.interop.helpers import Processes, counter, last_stat_row, messages_column, wait_until
from tests.interop.language import (
    OPTIONS_200,
    Recorder,
    action_log,
    error_log,
    exit_codes,
    request,
    response,
    run_clients,
    scenario,
    sipp_server,
    write,
)

EXEC = scenario("exec", """\
  <nop><action>
    <exec command="echo call [call_number] of [$who] > out_[call_number].txt"/>
    <warning message="warned by call [call_number]"/>
  </action></nop>
""" + request("MESSAGE", '<assignstr assign_to="who" value="[pid]"/>'))  # fmt: skip


def test_exec_command_and_warning_as_sipp(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    clients = run_clients(
        procs, ports, EXEC, recorder().port, "-m", "2", "-r", "100", "-trace_err", "-trace_stat"
    )
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    for tool, proc in clients.items():
        outputs = [proc.cwd / f"out_{n}.txt" for n in (1, 2)]
        # the commands run in the background (SIPp does not wait for them)
        wait_until(lambda outputs=outputs: all(p.exists() and p.read_text().endswith("\n") for p in outputs),
                   5.0, f"the commands of {tool}")  # fmt: skip
        # rendered when the nop runs: [$who] is set later, by the send
        assert [p.read_text() for p in outputs] == ["call 1 of\n", "call 2 of\n"], tool
        errors = error_log(proc, "exec")
        assert "warned by call 1" in errors and "warned by call 2" in errors, tool
        assert counter(last_stat_row(proc.stat_csv("exec")), "Warnings(C)") == 2, tool


ENDINGS = {
    # exit at once (97), after the usual final outputs: nothing more of the block or the call runs
    "stop_now": ('<exec int_cmd="stop_now"/>', 97, "", ["call 1"]),
    # SIPp's fatal error with the rendered message (255)
    "error": ('<error message="boom in call [call_number]"/>', 255, "boom in call 1", ["call 1"]),
    # like the q key: no new call, the current one runs to its end
    "stop_gracefully": (
        '<exec int_cmd="stop_gracefully"/>',
        0,
        "",
        ["call 1", "rest of the block", "next step"],
    ),
}


@pytest.mark.parametrize("case", list(ENDINGS))
def test_actions_that_end_the_run_as_sipp(case: str, procs: Processes, ports: Callable[[], int]) -> None:
    actions, code, stderr, logs = ENDINGS[case]
    server = sipp_server(procs, ports(), OPTIONS_200, 6)
    text = scenario("ending", request("OPTIONS") + f"""\
  <recv response="200"><action>
    <log message="call [call_number]"/>{actions}<log message="rest of the block"/>
  </action></recv>
  <nop><action><log message="next step"/></action></nop>
""")  # fmt: skip
    clients = run_clients(procs, ports, text, server.port, "-m", "3", "-r", "2", "-trace_logs", "-trace_stat")
    assert exit_codes(clients) == {"sipperf": code, "sipp": code}
    for tool, proc in clients.items():
        assert action_log(proc, "ending") == logs, tool
        assert stderr in proc.stderr, proc.describe()
        assert counter(last_stat_row(proc.stat_csv("ending")), "OutgoingCall(C)") == 1, tool


PAUSES = scenario("pauses", """\
  <nop><action>
    <assign assign_to="p" value="300"/><setdest host="127.0.0.1" port="[$port]" protocol="udp"/>
  </action></nop>
  <pause variable="p"/>
  <pause distribution="uniform" min="100" max="200"/>
""" + request("MESSAGE") + """\
  <recv response="200"/>
  <CallLengthRepartition value="400, 650"/>
""")  # fmt: skip
MESSAGE_200 = scenario(
    "message_200", '  <recv request="MESSAGE"/>\n' + response("200 OK", "Content-Length: 0")
)


def test_pause_lengths_and_setdest_as_sipp(
    procs: Processes, ports: Callable[[], int], recorder: Recorder
) -> None:
    """Each call pauses `$p` (300 ms) then 100-200 ms, so lasts 400-500 ms (plus scheduling); its
    MESSAGE goes to the SIPp server of the `<setdest>`, none to the remote host of the command line."""
    server = sipp_server(procs, ports(), MESSAGE_200, 6, "-trace_stat")
    nowhere = recorder()
    text = PAUSES.replace("[$port]", str(server.port))
    clients = run_clients(procs, ports, text, nowhere.port, "-m", "3", "-r", "100", "-trace_stat")
    assert exit_codes(clients) == {"sipperf": 0, "sipp": 0}
    assert nowhere.snapshot() == []
    for tool, proc in clients.items():
        row = last_stat_row(proc.stat_csv("pauses"))
        lengths = {name: value for name, value in row.items() if name.startswith("CallLengthRepartition")}
        # the columns of <CallLengthRepartition value="400, 650"/>: every call in [400, 650) ms
        in_range = {"CallLengthRepartition": "", "CallLengthRepartition_<400": "0",
                    "CallLengthRepartition_<650": "3", "CallLengthRepartition_>=650": "0"}  # fmt: skip
        assert lengths == in_range, tool
    assert server.wait() == 0
    assert counter(last_stat_row(server.stat_csv("server")), "IncomingCall(C)") == 6


REGEXP_SERVER = scenario("regexp_server", """\
  <recv request="MESSAGE|PUBLISH" regexp_match="true"><action>
    <ereg regexp="^[A-Z]+" search_in="msg" assign_to="method"/><log message="got [$method]"/>
  </action></recv>
""" + response("183 Session Progress", "Content-Length: 0") + response("200 OK", "Content-Length: 0") + """\
  <recv request="MESSAGE|PUBLISH" regexp_match="true"><action>
    <ereg regexp="^[A-Z]+" search_in="msg" assign_to="method"/><log message="got [$method]"/>
  </action></recv>
""" + response("200 OK", "Content-Length: 0"))  # fmt: skip
REGEXP_CLIENT = scenario("regexp_client", request("PUBLISH") + """\
  <recv response="^18.$" regexp_match="true"/>
  <recv response="200"/>
""" + request("MESSAGE") + """\
  <recv response="^2" regexp_match="true"/>
""")  # fmt: skip


@pytest.mark.parametrize("server_tool", ["sipperf", "sipp"])
def test_recv_regexp_match_on_methods_and_codes(
    server_tool: str, procs: Processes, ports: Callable[[], int]
) -> None:
    """`request="MESSAGE|PUBLISH"` matches both methods (SIPp 3.6.1, which serves as the reference
    server); `response="^18.$"` matches the 183 but not the 200 after it, and `"^2"` matches 200, as
    in SIPp 3.7.5 (3.6.1 takes response codes as integers only)."""
    server_file = write(procs.root, "regexp_server", REGEXP_SERVER)
    server = procs.uas(server_tool, ports(), "-sf", str(server_file), "-m", "1", "-trace_logs")
    client_file = write(procs.root, "regexp_client", REGEXP_CLIENT)
    client = procs.uac("sipperf", ports(), server.port, "-sf", str(client_file), "-m", "1")
    assert client.wait() == 0, client.describe()
    assert messages_column(client.stdout) == [1, 1, 1, 1, 1]
    assert "^18.$ <----------" in client.stdout
    assert server.wait() == 0, server.describe()
    assert action_log(server, "regexp_server") == ["got PUBLISH", "got MESSAGE"]
