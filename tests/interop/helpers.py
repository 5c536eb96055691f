"""Plain helpers for the interop tests: processes, ports, screens, stat files and tiny SIP peers.

Nothing here knows about pytest; `conftest.py` wraps what needs a fixture (ports, process clean-up).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LOCALHOST = "127.0.0.1"
# Generous upper bound for any one subprocess in these tests (the slow retransmission test takes ~32 s).
PROCESS_TIMEOUT = 60.0

# ---------------------------------------------------------------------------------------------------
# Processes


@dataclass
class Proc:
    """A sipperf or sipp process started with its own working directory and output files."""

    name: str
    argv: list[str]
    cwd: Path
    popen: subprocess.Popen[bytes]
    started: float  # time.monotonic() just before the start
    exited_at: float | None = None  # time.monotonic() when the exit was first seen (10 ms resolution)
    port: int = 0  # the -p port, when started through Processes.uas / Processes.uac

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def stdout_path(self) -> Path:
        return self.cwd / "stdout.txt"

    @property
    def stderr_path(self) -> Path:
        return self.cwd / "stderr.txt"

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def poll(self) -> int | None:
        code = self.popen.poll()
        if code is not None and self.exited_at is None:
            self.exited_at = time.monotonic()
        return code

    def send_signal(self, signum: signal.Signals) -> None:
        self.popen.send_signal(signum)

    def wait(self, timeout: float = PROCESS_TIMEOUT) -> int:
        """The exit code; on timeout the process is killed and the test fails with its output."""
        wait_all([self], timeout)
        return self.popen.returncode

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def describe(self) -> str:
        def tail(path: Path) -> str:
            return path.read_text(errors="replace")[-3000:] if path.exists() else ""

        return (
            f"{self.name} (pid {self.pid}, rc {self.popen.poll()}): {' '.join(self.argv)}\n"
            f"--- stdout ---\n{tail(self.stdout_path)}\n--- stderr ---\n{tail(self.stderr_path)}"
        )

    def stat_csv(self, scenario: str) -> Path:
        """The `-trace_stat` file: `<scenario>_<pid>_.csv` in the working directory."""
        return self.cwd / f"{scenario}_{self.pid}_.csv"

    def trace_log(self, scenario: str, kind: str) -> Path:
        """A trace file (`kind`: messages, errors or logs): `<scenario>_<pid>_<kind>.log`."""
        return self.cwd / f"{scenario}_{self.pid}_{kind}.log"


def wait_all(procs: Sequence[Proc], timeout: float = PROCESS_TIMEOUT) -> list[int]:
    """Wait for all `procs` together, noting each one's exit time; on timeout kill them all and fail."""
    deadline = time.monotonic() + timeout
    while any(proc.poll() is None for proc in procs):
        if time.monotonic() > deadline:
            late = [proc for proc in procs if proc.poll() is None]
            for proc in late:
                proc.kill()
            raise AssertionError(f"did not exit within {timeout} s: " + "\n".join(p.describe() for p in late))
        time.sleep(0.01)
    return [proc.popen.returncode for proc in procs]


def start_process(name: str, argv: Sequence[str], cwd: Path) -> Proc:
    """Start `argv` in `cwd` (created), stdin closed, stdout/stderr to files in `cwd`."""
    cwd.mkdir(parents=True, exist_ok=True)
    with open(cwd / "stdout.txt", "wb") as out, open(cwd / "stderr.txt", "wb") as err:
        started = time.monotonic()
        popen = subprocess.Popen(list(argv), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    return Proc(name, list(argv), cwd, popen, started)


def sipperf_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "sipperf", *args, "-nostdin"]


def sipp_argv(*args: str) -> list[str]:
    return ["sipp", *args, "-nostdin"]


def tool_argv(tool: str, *args: str) -> list[str]:
    """`tool` is "sipperf" or "sipp"."""
    return {"sipperf": sipperf_argv, "sipp": sipp_argv}[tool](*args)


def run_tool(tool: str, *args: str, cwd: Path, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    """Run a short-lived command to completion (help, errors, dumps)."""
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        tool_argv(tool, *args), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        errors="replace", timeout=timeout,
    )  # fmt: skip


def pid_alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie (an orphan may linger unreaped as a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def catches_signal(pid: int, signum: signal.Signals) -> bool:
    """Whether `pid` has a handler installed for `signum` (SigCgt in /proc/<pid>/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = re.search(r"^SigCgt:\s*([0-9a-f]+)$", status, re.MULTILINE)
    return bool(mask and int(mask.group(1), 16) >> (signum - 1) & 1)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, interval: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------------
# Ports


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def udp_port_bound(port: int) -> bool:
    """Whether any socket is bound to UDP `port` (IPv4 or IPv6), read from /proc without binding."""
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local = line.split()[1]  # "0100007F:13C4"
            if int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def wait_udp_bound(port: int, proc: Proc | None = None, timeout: float = 10.0) -> None:
    """Poll until `port` is bound; fail early, with its output, if `proc` exits first."""

    def ready() -> bool:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"exited before binding port {port}: {proc.describe()}")
        return udp_port_bound(port)

    wait_until(ready, timeout, f"UDP port {port} to be bound")


class Processes:
    """Starts sipperf / sipp and remembers every process (and background pid) to clean up."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started: list[Proc] = []
        self.orphans: list[int] = []

    def start(self, tool: str, *args: str, name: str | None = None) -> Proc:
        """Start `tool` ("sipperf" or "sipp") with `args` (+ -nostdin) in a fresh directory."""
        name = name or f"{tool}-{len(self.started)}"
        proc = start_process(name, tool_argv(tool, *args), self.root / name)
        self.started.append(proc)
        return proc

    def uas(self, tool: str, port: int, *args: str, name: str | None = None) -> Proc:
        """Start a server on `port` (built-in uas unless args say otherwise) and wait until it listens."""
        scenario = () if "-sf" in args or "-sn" in args else ("-sn", "uas")
        proc = self.start(tool, *scenario, "-p", str(port), *args, name=name or f"{tool}-uas-{port}")
        proc.port = port
        wait_udp_bound(port, proc)
        return proc

    def uac(self, tool: str, port: int, remote_port: int, *args: str, name: str | None = None) -> Proc:
        """Start a client (built-in uac unless args say otherwise) on `port` towards `remote_port`."""
        scenario = () if "-sf" in args or "-sn" in args else ("-sn", "uac")
        proc = self.start(tool, f"127.0.0.1:{remote_port}", *scenario, "-p", str(port), *args,
                          name=name or f"{tool}-uac-{port}")  # fmt: skip
        proc.port = port
        return proc

    def cleanup(self) -> None:
        for proc in self.started:
            proc.kill()
        for pid in self.orphans:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


DIRECTIONS = (("sipperf", "sipp"), ("sipp", "sipperf"))  # (uac tool, uas tool)


def run_both_directions(
    procs: Processes, ports: Callable[[], int], calls: int, rate: int
) -> list[tuple[Proc, Proc]]:
    """Built-in uac -> uas, `-m calls -r rate -trace_stat`, sipperf -> sipp and sipp -> sipperf at the same
    time; waits for all four processes, which must exit 0. Returns [(uac, uas)] in DIRECTIONS order."""
    pairs = []
    for uac_tool, uas_tool in DIRECTIONS:
        uas = procs.uas(uas_tool, ports(), "-m", str(calls), "-trace_stat")
        uac = procs.uac(uac_tool, ports(), uas.port, "-m", str(calls), "-r", str(rate), "-trace_stat")
        pairs.append((uac, uas))
    everything = [proc for pair in pairs for proc in pair]
    assert wait_all(everything) == [0] * 4, "\n".join(proc.describe() for proc in everything)
    return pairs


# ---------------------------------------------------------------------------------------------------
# Screens and statistics files


@dataclass(frozen=True)
class StepRow:
    """One row of the scenario screen's message table; None where the column is blank."""

    label: str
    messages: int | None
    retrans: int | None
    timeout: int | None
    unexpected: int | None


def _cell(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def scenario_rows(stdout: str) -> list[StepRow]:
    """The rows of the last scenario screen printed on stdout (blank rows skipped)."""
    lines = stdout.splitlines()
    headers = [n for n, line in enumerate(lines) if "Messages  Retrans   Timeout" in line]
    assert headers, f"no scenario screen in output:\n{stdout}"
    start = headers[-1]
    col = lines[start].index("Messages")
    rows: list[StepRow] = []
    for line in lines[start + 1 :]:
        if line.startswith("-----"):
            break
        if not line.strip():
            continue
        cells = [_cell(line[col + 10 * i : col + 10 * (i + 1)]) for i in range(4)]
        rows.append(StepRow(line[:col].strip(), *cells))
    return rows


def messages_column(stdout: str) -> list[int | None]:
    return [row.messages for row in scenario_rows(stdout)]


def read_stat_csv(path: Path, delimiter: str = ";") -> list[dict[str, str]]:
    """All rows of a `-trace_stat` file as dicts keyed by the header's column names."""
    lines = path.read_text().splitlines()
    assert lines, f"{path} is empty"

    def cells(line: str) -> list[str]:
        values = line.split(delimiter)
        return values[:-1] if values and values[-1] == "" else values

    header = cells(lines[0])
    rows = []
    for line in lines[1:]:
        values = cells(line)
        assert len(values) == len(header), f"{path}: {len(values)} cells for {len(header)} columns: {line!r}"
        rows.append(dict(zip(header, values, strict=True)))
    return rows


def last_stat_row(path: Path) -> dict[str, str]:
    rows = read_stat_csv(path)
    assert rows, f"{path} has only a header"
    return rows[-1]


def counter(row: dict[str, str], name: str) -> int:
    return int(row[name])


# ---------------------------------------------------------------------------------------------------
# SIP messages built and read by the tests' own peers

_COMPACT = {"v": "via", "f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
            "c": "content-type"}  # fmt: skip


@dataclass(frozen=True)
class SipMessage:
    raw: bytes
    first_line: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def parse(cls, raw: bytes) -> SipMessage:
        head, _, body = raw.partition(b"\r\n\r\n")
        first, *lines = head.decode("utf-8", "replace").split("\r\n")
        headers = []
        for line in lines:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        return cls(raw, first, tuple(headers), body)

    def all(self, name: str) -> list[str]:
        name = name.lower()
        return [v for n, v in self.headers if _COMPACT.get(n.lower(), n.lower()) == name]

    def header(self, name: str) -> str:
        values = self.all(name)
        assert values, f"no {name} header in {self.raw!r}"
        return values[0]

    @property
    def is_response(self) -> bool:
        return self.first_line.startswith("SIP/2.0 ")

    @property
    def status(self) -> int | None:
        return int(self.first_line.split()[1]) if self.is_response else None

    @property
    def method(self) -> str:
        """Request method, or the CSeq method of a response."""
        return self.first_line.split()[0] if not self.is_response else self.header("CSeq").split()[1]

    @property
    def kind(self) -> str:
        """The request method (INVITE, ACK, ...) or the status code of a response (200, 180, ...)."""
        return str(self.status) if self.is_response else self.method


SDP = (
    "v=0\r\no=test 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
)


def render(first_line: str, headers: Iterable[str], body: str = "") -> bytes:
    lines = [first_line, *headers]
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append(f"Content-Length: {len(body.encode())}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def response_to(request: SipMessage, code: int, reason: str, to_tag: str | None, body: str = "") -> bytes:
    """A response built from `request` like SIPp's uas does with `[last_*:]` keywords."""
    to = request.header("To") + (f";tag={to_tag}" if to_tag else "")
    headers = [f"Via: {via}" for via in request.all("Via")]
    headers += [f"From: {request.header('From')}", f"To: {to}", f"Call-ID: {request.header('Call-ID')}",
                f"CSeq: {request.header('CSeq')}", "Contact: <sip:127.0.0.1;transport=UDP>"]  # fmt: skip
    return render(f"SIP/2.0 {code} {reason}", headers, body)


@dataclass
class UacDialog:
    """The requests of one call placed by a test's own UAC (INVITE, then ACK and BYE in the dialog)."""

    local_port: int
    call_id: str
    to_tag: str = ""

    def _request(self, method: str, target_port: int, cseq: int, branch: str, body: str = "") -> bytes:
        to = "service <sip:service@127.0.0.1>" + (f";tag={self.to_tag}" if self.to_tag else "")
        headers = [
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.local_port};branch=z9hG4bK-{branch}",
            f"From: test <sip:test@127.0.0.1:{self.local_port}>;tag=test-{self.call_id}",
            f"To: {to}", f"Call-ID: {self.call_id}", f"CSeq: {cseq} {method}",
            f"Contact: sip:test@127.0.0.1:{self.local_port}", "Max-Forwards: 70",
        ]  # fmt: skip
        return render(f"{method} sip:service@127.0.0.1:{target_port} SIP/2.0", headers, body)

    def invite(self, target_port: int) -> bytes:
        return self._request("INVITE", target_port, 1, f"{self.call_id}-1", SDP)

    def ack(self, target_port: int) -> bytes:
        return self._request("ACK", target_port, 1, f"{self.call_id}-ack")

    def bye(self, target_port: int) -> bytes:
        return self._request("BYE", target_port, 2, f"{self.call_id}-2")

    def learn_tag(self, response: SipMessage) -> None:
        match = re.search(r";\s*tag=([^;>\s]+)", response.header("To"))
        assert match, f"no To tag in {response.raw!r}"
        self.to_tag = match.group(1)


# ---------------------------------------------------------------------------------------------------
# UDP peers


@dataclass
class Received:
    at: float  # time.monotonic()
    port: int  # source port
    message: SipMessage


class UdpPeer:
    """A synchronous UDP endpoint on 127.0.0.1 that keeps one inbox per remote port."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOCALHOST, 0))
        self.port: int = self.sock.getsockname()[1]
        self.inbox: dict[int, list[Received]] = {}

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes, port: int) -> None:
        self.sock.sendto(data, (LOCALHOST, port))

    def _receive_one(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.sock.settimeout(remaining)
        try:
            data, (_, port) = self.sock.recvfrom(65535)
        except TimeoutError:
            return False
        self.inbox.setdefault(port, []).append(Received(time.monotonic(), port, SipMessage.parse(data)))
        return True

    def expect(self, port: int, kind: str, method: str | None = None, timeout: float = 5.0) -> Received:
        """The first message of `kind` ("180", "BYE", ...; for a response, of CSeq `method` if given)
        from `port`; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            box = self.inbox.setdefault(port, [])
            for n, item in enumerate(box):
                if item.message.kind == kind and method in (None, item.message.method):
                    return box.pop(n)
            if not self._receive_one(deadline):
                seen = [r.message.first_line for r in box]
                raise AssertionError(f"no {kind} from port {port} within {timeout} s; pending: {seen}")

    def drain(self, timeout: float) -> None:
        """Receive into the inboxes for `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while self._receive_one(deadline):
            pass


Handler = Callable[[SipMessage], list[bytes]]


@dataclass
class UdpRecorder:
    """A UDP endpoint served by a thread: records every datagram and sends what `handler` returns."""

    handler: Handler | None = None
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((LOCALHOST, 0))
        self.sock.settimeout(0.05)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, (_, port) = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            message = SipMessage.parse(data)
            with self._lock:
                self.received.append(Received(time.monotonic(), port, message))
            for reply in self.handler(message) if self.handler else []:
                self.sock.sendto(reply, (LOCALHOST, port))

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def uas_like_handler(message: SipMessage) -> list[bytes]:
    """Answer like SIPp's uas: INVITE -> 180 + 200 (with SDP), BYE -> 200, anything else -> nothing."""
    if message.is_response:
        return []
    if message.method == "INVITE":
        return [
            response_to(message, 180, "Ringing", "peer-tag"),
            response_to(message, 200, "OK", "peer-tag", SDP),
        ]
    if message.method == "BYE":
        return [response_to(message, 200, "OK", None)]
    return []


# The title of a message in a -trace_msg file, before the message's own bytes.
_TRACED = re.compile(
    rb"^UDP message (sent) \((\d+) bytes\):\n\n|^UDP message (received) \[(\d+)\] bytes :\n\n", re.M
)


def traced_messages(path: Path, direction: str = "sent") -> list[SipMessage]:
    """The messages a `-trace_msg` file (SIPp's or sipperf's) shows `direction` ("sent" or "received")."""
    data = path.read_bytes()
    found = []
    for match in _TRACED.finditer(data):
        size = int(match.group(2) or match.group(4))
        if (match.group(1) or match.group(3)).decode() == direction:
            found.append(SipMessage.parse(data[match.end() : match.end() + size]))
    return found


# ---------------------------------------------------------------------------------------------------
# Normalising messages that two implementations send


def normalise(message: bytes, pid: int, ports: dict[int, str]) -> str:
    """Replace what legitimately differs between two runs: the pid (in branches, tags, Call-IDs), the
    given SIP ports (e.g. {5061: "LOCAL"}) and the SDP media port."""
    text = message.decode("utf-8", "replace")
    text = re.sub(rf"(branch=z9hG4bK-|tag=|Call-ID: \d+-)({pid})(?=\D)", r"\1PID", text)
    for port, name in ports.items():
        text = re.sub(rf":{port}(?!\d)", f":{name}", text)
    return re.sub(r"m=audio \d+", "m=audio MEDIAPORT", text)


def place_call(peer: UdpPeer, port: int, call_id: str, ignore_first_200: bool = False) -> list[Received]:
    """One call from `peer` to a uas on `port`: INVITE; 180 and 200 (the first 200 is ignored if asked,
    so the next one must be its retransmission); ACK; BYE; 200. Returns the responses in order."""
    dialog = UacDialog(peer.port, call_id)
    peer.send(dialog.invite(port), port)
    responses = [peer.expect(port, "180"), peer.expect(port, "200", "INVITE")]
    if ignore_first_200:
        responses.append(peer.expect(port, "200", "INVITE", timeout=2.0))
    dialog.learn_tag(responses[-1].message)
    peer.send(dialog.ack(port), port)
    peer.send(dialog.bye(port), port)
    responses.append(peer.expect(port, "200", "BYE"))
    return responses


_SCREEN_TIMING = (
    (re.compile(r"\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d+\.\d{6}"), "TIMESTAMP"),
    (re.compile(r"\d\d:\d\d:\d\d:\d{6}"), "HH:MM:SS:USEC"),
    (re.compile(r"\d+\.\d\d s "), "T.TT s "),
    (re.compile(r"-?\d+\.\d+ cps"), "R cps"),
    (re.compile(r"\d+\.\d+ s period"), "X s period"),
    (re.compile(r"\d+ ms scheduler resolution"), "N ms scheduler resolution"),
    (re.compile(r"Peak was \d+ calls, after \d+ s"), "Peak was N calls, after N s"),
    (re.compile(r"\d+ Running, \d+ Paused, \d+ Woken up"), "N Running, N Paused, N Woken up"),
)


def mask_screens(stdout: str, ports: Iterable[int]) -> str:
    """The final screens with what depends on timing or on the scheduler masked and the given ports
    (local, remote) replaced. The open-socket count is masked too (see test_screens.py), and so is the
    choice SIPp makes, by timing, between repeating the sockets line and printing the RTP line."""
    for pattern, replacement in _SCREEN_TIMING:
        stdout = pattern.sub(replacement, stdout)
    stdout = re.sub(r"(?m)^  (\d+ open sockets|\d+ Total RTP pckts sent) .*$", "  SOCKETS OR RTP", stdout)
    for n, port in enumerate(ports):
        stdout = re.sub(rf"(?<!\d){port}(?!\d)", f"PORT{n}", stdout)
    return stdout
