"""Scenario files and runs shared by the scenario-language tests.

A client scenario is written into the test's directory and run by sipperf and by SIPp side by side,
with the same arguments, towards the same peer (SIPp running a small server scenario, or a test's
own UDP recorder); the tests then compare what the two logged (`-trace_logs`), counted and sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.interop.helpers import (
    Proc,
    Processes,
    SipMessage,
    UdpRecorder,
    last_stat_row,
    traced_messages,
    wait_all,
)

TOOLS = ("sipperf", "sipp")
Recorder = Callable[..., UdpRecorder]  # the `recorder` fixture


def scenario(name: str, body: str) -> str:
    """A scenario file's text: `body` (its elements) inside `<scenario name=...>`."""
    return f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<scenario name="{name}">\n{body}</scenario>\n'


def request(method: str, actions: str = "") -> str:
    """A `<send>` of a request in the call's dialog (no retransmission), with these actions."""
    block = f"<action>{actions}</action>" if actions else ""
    return f"""  <send><![CDATA[
    {method} sip:x@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:a@[local_ip]:[local_port]>;tag=[call_number]
    To: <sip:x@[remote_ip]:[remote_port]>
    Call-ID: [call_id]
    CSeq: [cseq] {method}
    Content-Length: 0
  ]]>{block}</send>
"""


def response(status: str, extra: str = "") -> str:
    """A `<send>` of a response to the last request received; `extra` lines go after the headers
    (a blank line then a body for a body)."""
    return f"""  <send><![CDATA[
    SIP/2.0 {status}
    [last_Via:]
    [last_From:]
    [last_To:];tag=peer
    [last_Call-ID:]
    [last_CSeq:]
    {extra}
  ]]></send>
"""


# The server side of the client scenarios that send one OPTIONS and expect its 200.
OPTIONS_200 = scenario(
    "options_200", '  <recv request="OPTIONS"/>\n' + response("200 OK", "Content-Length: 0")
)


def write(where: Path, name: str, text: str) -> Path:
    """`text` as `<where>/<name>.xml`."""
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"{name}.xml"
    path.write_text(text, encoding="latin-1")
    return path


def sipp_server(procs: Processes, port: int, text: str, calls: int, *args: str) -> Proc:
    """SIPp running the server scenario `text` on `port` for `calls` calls, listening when this returns."""
    path = write(procs.root, "server", text)
    return procs.uas("sipp", port, "-sf", str(path), "-m", str(calls), *args)


def run_clients(procs: Processes, ports: Callable[[], int], text: str, remote_port: int, *args: str,
                files: dict[str, str] | None = None,
                tools: tuple[str, ...] = TOOLS) -> dict[str, Proc]:  # fmt: skip
    """Run the client scenario `text` with each of `tools` at once towards `remote_port`, each in its
    own directory holding `files` (name -> contents), until they all exit."""
    name = re.search(r'<scenario name="([^"]+)"', text)
    assert name is not None
    path = write(procs.root, name.group(1), text)
    started = {}
    for tool in tools:
        where = procs.root / f"{tool}-client"
        where.mkdir(parents=True, exist_ok=True)
        for file, contents in (files or {}).items():
            (where / file).write_text(contents, encoding="latin-1")
        started[tool] = procs.uac(tool, ports(), remote_port, "-sf", str(path), *args, name=where.name)
    wait_all(list(started.values()))
    return started


def exit_codes(clients: dict[str, Proc]) -> dict[str, int | None]:
    return {tool: proc.poll() for tool, proc in clients.items()}


def masked(text: str, proc: Proc) -> str:
    """`text` with the process id written PID (in branches, tags, Call-IDs)."""
    return re.sub(rf"(?<!\d){proc.pid}(?!\d)", "PID", text)


def action_log(proc: Proc, scenario_name: str) -> list[str]:
    """The lines `<log>` actions wrote (`-trace_logs`; the scenario files are ISO-8859-1), the pid
    masked."""
    path = proc.trace_log(scenario_name, "logs")
    return masked(path.read_text(encoding="latin-1"), proc).splitlines()


def logged_alike(clients: dict[str, Proc], scenario_name: str) -> list[str]:
    """What the `<log>` actions of every client wrote, checked to be the same for all of them."""
    logs = {tool: action_log(proc, scenario_name) for tool, proc in clients.items()}
    first = next(iter(logs.values()))
    assert all(lines == first for lines in logs.values()), logs
    return first


def error_log(proc: Proc, scenario_name: str) -> str:
    """The `-trace_err` file; empty when nothing was written."""
    path = proc.trace_log(scenario_name, "errors")
    return masked(path.read_text(errors="replace"), proc) if path.exists() else ""


def sent(proc: Proc, scenario_name: str) -> list[SipMessage]:
    """The messages `proc` sent, from its `-trace_msg` file."""
    return traced_messages(proc.trace_log(scenario_name, "messages"))


def failure_counters(proc: Proc, scenario_name: str) -> dict[str, str]:
    """The non-zero cumulative `Failed...` and `Successful...` counters of the last `-trace_stat` row."""
    row = last_stat_row(proc.stat_csv(scenario_name))
    wanted = ("Failed", "Successful")
    return {name: value for name, value in row.items()
            if name.endswith("(C)") and name.startswith(wanted) and value != "0"}  # fmt: skip
