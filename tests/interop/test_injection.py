"""Injection files through the `sipperf` command, with real SIPp as the reference: the same client
scenario and CSV files run by both against `sipp -sn uas` put the same fields on the wire and in the
`<log>` output (SEQUENTIAL and PRINTF lines are the same; RANDOM keeps each call on one row),
`<lookup>`/`<insert>`/`<replace>` with `-infindex` log the same values, SEQUENTIAL lines follow the
call numbers across `-workers`, a sipperf UAS gives each incoming call a line, and the errors have
SIPp's exit code and message. The clients' exit code 0 says every call succeeded; `sipp -sn uas` is
not waited for (its last step is a 4 s timewait) but killed at the end of the test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.interop.helpers import Handler, Proc, Processes, UdpRecorder, free_udp_port, run_tool, wait_all

TOOLS = ("sipperf", "sipp")

USERS = (
    "SEQUENTIAL\n# name;display;password;extra\nalice;Alice;pw1;x1\nbob;Bob;pw2\ncarol;;pw3;x3;X-Carol: yes\n"
)
NUMBERED = "SEQUENTIAL,PRINTF=5,PRINTFOFFSET=100,PRINTFMULTIPLE=2\nuser%04d;%d\n"
INF = ("-inf", "users.csv", "-inf", "numbered.csv")
RANDOM_USERS = "RANDOM\n" + "".join(f"u{n};U{n};p{n};x{n};X-Row: {n}\n" for n in range(4))

# The built-in uac, its INVITE filled from the files; the fields of every call are logged.
UAC = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="inf_uac">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [field1] <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: sip:sipp@[local_ip]:[local_port]
      X-Password: [field2]
      X-Extra: [field3]
      [field4]
      X-Line1: [field0 line="1"]
      X-Numbered: [field0 file="numbered.csv"] [field1 file="numbered.csv"]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[
      ACK sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [field1] <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <nop><action>
    <log message="[call_number] [field0] [field2] [field0 file=&quot;numbered.csv&quot;]"/>
  </action></nop>
  <send retrans="500">
    <![CDATA[
      BYE sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: [field1] <sip:[field0]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
"""

# Client steps that only send one OPTIONS (to a peer that never answers), then act on the files.
OPTIONS = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="{name}">
  <send>
    <![CDATA[
      OPTIONS sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:x@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:x@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Content-Length: 0

    ]]>
  </send>
  <nop><action>
{actions}
  </action></nop>
</scenario>
"""

STORE_ACTIONS = """\
    <lookup assign_to="a" file="idx.csv" key="alice"/>
    <lookup assign_to="m" file="idx.csv" key="nobody"/>
    <log message="c[call_number] alice=[$a] nobody=[$m] line=[field0] [field1]"/>
    <insert file="idx.csv" value="carol[call_number];c[call_number]"/>
    <lookup assign_to="c" file="idx.csv" key="carol[call_number]"/>
    <log message="carol=[$c] line3=[field0 line=3] [field1 line=&quot;[$c]&quot;]"/>
    <replace file="idx.csv" line="2" value="zed;z[call_number]"/>
    <lookup assign_to="z" file="idx.csv" key="zed"/>
    <lookup assign_to="b" file="idx.csv" key="bob"/>
    <log message="zed=[$z] bob=[$b] line2=[field1 line=2]"/>"""


def write_files(where: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (where / name).write_text(text, encoding="latin-1")


def run_client(procs: Processes, tool: str, port: int, remote_port: int, scenario: str, files: dict[str, str],
               *args: str) -> Proc:  # fmt: skip
    """Start `tool` on `port` (0: SIPp's search) with `scenario` (written as scenario.xml) and `files` in
    its working directory."""
    name = f"{tool}-uac-{remote_port}"
    where = procs.root / name
    where.mkdir(parents=True, exist_ok=True)
    write_files(where, files)
    (where / "scenario.xml").write_text(scenario)
    return procs.start(
        tool, f"127.0.0.1:{remote_port}", "-sf", "scenario.xml", "-p", str(port), *args, name=name
    )


def trace_file(proc: Proc, kind: str) -> str:
    found = list(proc.cwd.glob(f"*_*_{kind}.log"))
    assert len(found) == 1, f"no {kind} file: {proc.describe()}"
    return found[0].read_text(errors="replace")


def invites(proc: Proc) -> list[list[str]]:
    """The field-filled lines of every INVITE sipperf or SIPp sent (its -trace_msg file), with the pid
    and the ports masked."""

    def masked(line: str) -> str:
        return re.sub(r"127\.0\.0\.1:\d+", "HOST", line.replace(f"tag={proc.pid}", "tag=PID"))

    sent = re.findall(
        r"^UDP message sent .*\n\n(INVITE [^\n]*\n(?:[^\n]+\n)*)", trace_file(proc, "messages"), re.M
    )
    return [
        [masked(line) for line in message.splitlines() if line.startswith(("INVITE ", "From:", "To:", "X-"))]
        for message in sent
    ]


def test_sequential_and_printf_fields_on_the_wire_and_in_logs_are_sipps(
    procs: Processes, ports: Callable[[], int]
) -> None:
    files = {"users.csv": USERS, "numbered.csv": NUMBERED}
    uases = [procs.uas("sipp", ports()) for _ in TOOLS]
    args = (*INF, "-m", "4", "-r", "20", "-trace_msg", "-trace_logs", "-trace_err")
    uacs = [
        run_client(procs, tool, ports(), uas.port, UAC, files, *args)
        for tool, uas in zip(TOOLS, uases, strict=True)
    ]
    assert wait_all(uacs) == [0, 0], "\n".join(p.describe() for p in uacs)
    ours, theirs = uacs
    assert invites(ours) == invites(theirs)
    assert trace_file(ours, "logs").splitlines() == trace_file(theirs, "logs").splitlines() == [
        "1 alice pw1 user0100", "2 bob pw2 user0102", "3 carol pw3 user0104", "4 alice pw1 user0106",
    ]  # fmt: skip
    first = invites(ours)[2]
    assert "X-Extra: x3" in first and "X-Carol: yes" in first and "X-Line1: bob" in first
    assert invites(ours)[1][1] == "From: Bob <sip:bob@HOST>;tag=PIDSIPpTag002"
    warnings = [
        re.findall(r"Field \d not found in the file users\.csv", trace_file(p, "errors")) for p in uacs
    ]
    assert warnings[0] == warnings[1] and "Field 3 not found in the file users.csv" in warnings[0]


def test_random_lines_keep_each_call_on_one_row(procs: Processes, ports: Callable[[], int]) -> None:
    uas = procs.uas("sipp", ports())
    files = {"users.csv": RANDOM_USERS, "numbered.csv": NUMBERED}
    uac = run_client(
        procs, "sipperf", ports(), uas.port, UAC, files, *INF, "-m", "6", "-r", "50", "-trace_msg"
    )
    assert uac.wait() == 0, uac.describe()
    for lines in invites(uac):
        row = re.match(r"INVITE sip:u(\d)@", lines[0])
        assert row is not None, lines
        n = row.group(1)
        assert {f"From: U{n} <sip:u{n}@HOST>", f"X-Password: p{n}", f"X-Extra: x{n}", f"X-Row: {n}"} <= {
            re.sub(r";tag=.*", "", line) for line in lines
        }, lines


def test_lookup_insert_and_replace_log_what_sipp_logs(
    procs: Processes, ports: Callable[[], int], recorder: Callable[[Handler | None], UdpRecorder]
) -> None:
    files = {"idx.csv": "SEQUENTIAL\nalice;1\nbob;2\nalice;3\n"}
    scenario = OPTIONS.format(name="store", actions=STORE_ACTIONS)
    peers: list[UdpRecorder] = [recorder(None) for _ in TOOLS]
    args = ("-inf", "idx.csv", "-infindex", "idx.csv", "0", "-m", "3", "-r", "10", "-trace_logs")
    uacs = [
        run_client(procs, tool, ports(), peer.port, scenario, files, *args)
        for tool, peer in zip(TOOLS, peers, strict=True)
    ]
    assert wait_all(uacs) == [0, 0], "\n".join(p.describe() for p in uacs)
    ours, theirs = (trace_file(proc, "logs").splitlines() for proc in uacs)
    assert ours == theirs
    assert ours[:3] == [
        "c1 alice=2.000000 nobody=-1.000000 line=alice 1",
        "carol=3.000000 line3=carol1 c1",
        "zed=2.000000 bob=1.000000 line2=z1",
    ]


def test_sequential_lines_follow_the_call_numbers_across_workers(
    procs: Processes, ports: Callable[[], int]
) -> None:
    uas = procs.uas("sipp", ports())
    files = {"users.csv": USERS, "numbered.csv": NUMBERED}
    args = (*INF, "-m", "12", "-r", "100", "-workers", "2", "-trace_logs")
    uac = run_client(procs, "sipperf", 0, uas.port, UAC, files, *args)
    assert uac.wait() == 0, uac.describe()
    names = ("alice", "bob", "carol")
    logged = sorted(
        (line.split()[:2] for line in trace_file(uac, "logs").splitlines()), key=lambda x: int(x[0])
    )
    assert logged == [[str(n), names[(n - 1) % 3]] for n in range(1, 13)]


UAS = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="inf_uas">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      X-User: [field0]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
</scenario>
"""


def test_a_sipperf_uas_gives_each_incoming_call_the_next_line(
    procs: Processes, ports: Callable[[], int]
) -> None:
    port = ports()
    where = procs.root / "sipperf-uas"
    where.mkdir()
    write_files(where, {"users.csv": USERS})
    (where / "uas.xml").write_text(UAS)
    uas = procs.uas("sipperf", port, "-sf", "uas.xml", "-inf", "users.csv", "-m", "4", name="sipperf-uas")
    uac = procs.uac("sipp", ports(), port, "-m", "4", "-r", "20", "-trace_msg")
    assert wait_all([uac, uas]) == [0, 0], uac.describe() + uas.describe()
    received = re.findall(r"^X-User: (\S*)\r?$", trace_file(uac, "messages"), re.MULTILINE)
    assert received == ["alice", "bob", "carol", "alice"]


# -- errors: exit code and message as SIPp's -----------------------------------------------------
FIELD_LINE = OPTIONS.format(name="e", actions='    <log message="[field0 line=&quot;[$s]&quot;]"/>').replace(
    "<nop><action>", '<nop><action><assignstr assign_to="s" value="abc"/>'
)
ERRORS = [
    ("missing.csv", None, 1, "Unable to open file missing.csv"),
    ("bad.csv", None, 1, "Unknown file type (valid values are RANDOM, SEQUENTIAL, and USER) for bad.csv:FOO"),
    ("empty.csv", None, 1, "Input file has zero lines: empty.csv"),
    ("users.csv", OPTIONS.format(name="e", actions='    <log message="[field0 file=nope.csv]"/>'), 1,
     "Invalid injection file: nope.csv"),
    ("users.csv", FIELD_LINE, 255, "Invalid line number generated: 'abc'"),
    ("users.csv", OPTIONS.format(name="e", actions='    <lookup assign_to="v" file="users.csv" key="x"/>'
                                 '<log message="[$v]"/>'), 255, "Invalid Index File: users.csv"),
]  # fmt: skip


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize(("file", "scenario", "code", "message"), ERRORS, ids=[e[3][:30] for e in ERRORS])
def test_errors_have_sipps_exit_code_and_message(
    tool: str, file: str, scenario: str | None, code: int, message: str, tmp_path: Path
) -> None:
    write_files(tmp_path, {"users.csv": USERS, "bad.csv": "FOO\na\n", "empty.csv": "SEQUENTIAL\n# none\n"})
    (tmp_path / "e.xml").write_text(scenario or OPTIONS.format(name="e", actions=""))
    result = run_tool(
        tool, "-sf", "e.xml", "-inf", file, f"127.0.0.1:{free_udp_port()}", "-m", "1", cwd=tmp_path
    )
    assert result.returncode == code, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("tool", TOOLS)
def test_a_field_without_any_inf_file_is_refused(tool: str, tmp_path: Path) -> None:
    (tmp_path / "e.xml").write_text(OPTIONS.format(name="e", actions='    <log message="[field0]"/>'))
    result = run_tool(tool, "-sf", "e.xml", f"127.0.0.1:{free_udp_port()}", "-m", "1", cwd=tmp_path)
    assert result.returncode == 1 and "No injection file was specified!" in result.stderr
