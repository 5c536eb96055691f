"""Digest authentication and `-tdmmap` against real SIPp 3.6.1.

sipperf's UAC answers a SIPp UAS's challenge and passes its `<verifyauth>`, with the very header SIPp's
own UAC writes for the same challenge (cnonce and response aside when a qop makes them random); SIPp's
UAC passes sipperf's `<verifyauth>` and fails it with a wrong password. `[tdmmap]` renders the circuits
SIPp renders, and a call finding every circuit busy fails as in SIPp.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from sipperf.sip.digest import auth_param, verify_authorization
from tests import auth_scenarios
from tests.interop.helpers import (
    Proc,
    Processes,
    UdpRecorder,
    counter,
    last_stat_row,
    messages_column,
    run_tool,
    uas_like_handler,
    wait_all,
)

GOLDEN_UAC = Path(__file__).parent.parent / "golden" / "uac.xml"
WWW = ("401 Unauthorized", "WWW-Authenticate")
PROXY = ("407 Proxy Authentication Required", "Proxy-Authenticate")
DEFAULTS = ("-au", "alice", "-ap", "secret", "-auth_uri", "example.com")
KEYWORD = auth_scenarios.KEYWORD
CREDENTIALS = re.compile(r"^((?:Proxy-)?Authorization: .*?)\r?$", re.MULTILINE)
VIA_PORT = re.compile(r"^Via: SIP/2\.0/UDP [^:]+:(\d+)", re.MULTILINE)
RANDOM_PARTS = re.compile(r'(cnonce|response)="[^"]*"')
TOOLS = ("sipperf", "sipp")


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def received_credentials(uas: Proc, scenario: str) -> dict[int, str]:
    """The credentials line of each request a SIPp UAS logged (`-trace_msg`), by its sender's port."""
    log = (uas.cwd / f"{scenario}_{uas.pid}_messages.log").read_text(errors="replace")
    found = {}
    for block in log.split("\n-----------------------------------------------"):
        via, line = VIA_PORT.search(block), CREDENTIALS.search(block)
        if via and line:
            found[int(via.group(1))] = line.group(1)
    return found


@pytest.mark.parametrize(
    ("status", "challenge", "keyword", "uac_args"),
    [
        pytest.param(WWW, 'Digest realm="sipp.test", nonce="b4c3d2", qop="auth,auth-int", opaque="op4que"',
                     KEYWORD, (), id="401-auth-int-opaque"),
        pytest.param(WWW, 'Digest realm="sipp.test", nonce="b4c3d2", qop=auth, algorithm=MD5',
                     "[authentication]", DEFAULTS, id="401-defaults-auth_uri"),
        pytest.param(WWW, 'Digest realm="sipp.test", nonce="b4c3d2"', KEYWORD, (), id="401-no-qop"),
        pytest.param(PROXY, 'Digest realm="proxy.test", nonce="x9", qop="auth"', KEYWORD, (), id="407-auth"),
    ],
)  # fmt: skip
def test_sipperf_answers_a_challenge_as_sipp_does(
    procs: Processes, ports: Callable[[], int], tmp_path: Path, status, challenge, keyword, uac_args
) -> None:
    verify = status == WWW  # SIPp's verifyauth reads Authorization only
    uas_xml = write(tmp_path / "auth_uas.xml", auth_scenarios.uas(*status, challenge, verify=verify))
    uac_xml = write(tmp_path / "auth_uac.xml", auth_scenarios.uac(keyword))
    uas = procs.uas("sipp", ports(), "-sf", uas_xml, "-m", "2", "-trace_msg")
    uacs = [procs.uac(tool, ports(), uas.port, "-sf", uac_xml, "-m", "1", *uac_args) for tool in TOOLS]
    everything = [uas, *uacs]
    assert wait_all(everything) == [0, 0, 0], "\n".join(proc.describe() for proc in everything)
    lines = received_credentials(uas, "auth_uas")
    ours, sipps = lines[uacs[0].port], lines[uacs[1].port]
    if "qop" in challenge:  # a random cnonce, hence another response
        assert RANDOM_PARTS.sub(r'\1="X"', ours) == RANDOM_PARTS.sub(r'\1="X"', sipps)
    else:
        assert ours == sipps
    name, value = ours.split(": ", 1)
    assert name == ("Authorization" if verify else "Proxy-Authorization")
    if not verify:
        assert verify_authorization("alice", "secret", "INVITE", value, "")
    assert auth_param("uri", value) == ("sip:example.com" if uac_args else f"sip:127.0.0.1:{uas.port}")


@pytest.mark.parametrize(("password", "uac_exit"), [("secret", 0), ("wrong", 1)])
def test_sipp_passes_sipperfs_verifyauth_with_the_right_password_only(
    procs: Processes, ports: Callable[[], int], tmp_path: Path, password: str, uac_exit: int
) -> None:
    challenge = 'Digest realm="sipperf.test", nonce="n0nc3", qop="auth-int"'
    uas_xml = write(tmp_path / "auth_uas.xml", auth_scenarios.uas(*WWW, challenge))
    keyword = f"[authentication username=alice password={password}]"
    uac_xml = write(tmp_path / "auth_uac.xml", auth_scenarios.uac(keyword))
    uas = procs.uas("sipperf", ports(), "-sf", uas_xml, "-m", "1")
    uac = procs.uac("sipp", ports(), uas.port, "-sf", uac_xml, "-m", "1")
    assert wait_all([uas, uac])[1] == uac_exit, "\n".join(proc.describe() for proc in (uas, uac))
    sent = messages_column(uas.stdout)  # INVITE, 401, ACK, INVITE, 403, ACK, 200, ACK
    assert (sent[4], sent[6]) == ((0, 1) if uac_exit == 0 else (1, 0)), uas.describe()


def tdm_scenario(tmp_path: Path) -> str:
    """The built-in uac with an `X-TDM: [tdmmap]` header in every request."""
    call_id = "Call-ID: [call_id]\n"
    text = GOLDEN_UAC.read_text().replace(call_id, call_id + "      X-TDM: [tdmmap]\n")
    return write(tmp_path / "uac_tdm.xml", text)


def test_tdmmap_renders_the_circuit_and_a_busy_map_fails_the_call_as_sipp(
    procs: Processes, ports: Callable[[], int], tmp_path: Path, recorder: Callable[..., UdpRecorder]
) -> None:
    scenario = tdm_scenario(tmp_path)
    # one circuit, which SIPp 3.6.1 never frees (a call frees the slot after its own): call 2 fails
    runs = []
    for tool in TOOLS:
        peer = recorder(uas_like_handler)
        uac = procs.uac(tool, ports(), peer.port, "-sf", scenario, "-m", "2", "-tdmmap", "{0-0}{7}{0-0}{3-3}",
                        "-trace_stat")  # fmt: skip
        runs.append((uac, peer))
    assert wait_all([uac for uac, _ in runs]) == [1, 1], "\n".join(uac.describe() for uac, _ in runs)
    outcomes = []
    for uac, peer in runs:
        rendered = [value for item in peer.snapshot() for value in item.message.all("X-TDM")]
        row = last_stat_row(uac.stat_csv("uac_tdm"))
        names = ("OutgoingCall(C)", "SuccessfulCall(C)", "FailedCall(C)", "FailedOutboundCongestion(C)")
        last_error = uac.stderr.strip().splitlines()[-2].split(": ", 1)[1].replace(str(uac.pid), "PID")
        outcomes.append((rendered, [counter(row, name) for name in names], last_error))
    ours, sipps = outcomes
    assert ours == sipps
    assert ours[0] == ["0.7.0/3"] * 3 and ours[1] == [2, 1, 1, 1]  # INVITE, ACK, BYE of call 1


@pytest.mark.parametrize(
    ("tdmmap", "code", "message"),
    [((), 255, "[tdmmap] keyword without -tdmmap parameter on command line"),
     (("-tdmmap", "{1-2}{3}{4-5}"), 1, "Parameter -tdmmap must be of form {%d-%d}{%d}{%d-%d}{%d-%d}")],
)  # fmt: skip
def test_tdmmap_errors_are_sipps(
    tmp_path: Path, recorder: Callable[..., UdpRecorder], tdmmap: tuple[str, ...], code: int, message: str
) -> None:
    scenario = tdm_scenario(tmp_path)
    peer = recorder(uas_like_handler)
    for tool in TOOLS:
        remote = f"127.0.0.1:{peer.port}"
        done = run_tool(tool, remote, "-sf", scenario, "-m", "1", *tdmmap, cwd=tmp_path / tool)
        assert done.returncode == code, (tool, done.stdout, done.stderr)
        assert done.stderr.strip().splitlines()[-1].endswith(f": {message}"), (tool, done.stderr)
