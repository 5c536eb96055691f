"""Errors and informational exits through the real command line, with real SIPp as the reference:
exit codes, the messages on stderr, and never a Python traceback.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.interop.helpers import LOCALHOST, run_tool

TOOLS = ("sipperf", "sipp")

# Each scenario has its mistake on line 5.
UNKNOWN_ELEMENT = """\
<?xml version="1.0"?>
<scenario name="broken">
  <send><![CDATA[INVITE sip:x@[remote_ip] SIP/2.0
Content-Length: 0]]></send>
  <bogus/>
</scenario>
"""
UNKNOWN_KEYWORD = """\
<?xml version="1.0"?>
<scenario name="broken">
  <send>
    <![CDATA[
      INVITE sip:x@[remote_ip] SIP/2.0 [nosuchkw]
      Content-Length: 0
    ]]>
  </send>
</scenario>
"""


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr


def run_broken(tool: str, tmp_path: Path, text: str) -> tuple[int, str]:
    scenario = tmp_path / "broken.xml"
    scenario.write_text(text)
    result = run_tool(tool, "-sf", str(scenario), "127.0.0.1:9", "-m", "1", "-p", "0", cwd=tmp_path / tool)
    assert_no_traceback(result.stderr)
    return result.returncode, result.stderr


@pytest.mark.parametrize("tool", TOOLS)
def test_unknown_element_is_fatal_before_the_run(tool: str, tmp_path: Path) -> None:
    code, stderr = run_broken(tool, tmp_path, UNKNOWN_ELEMENT)
    assert code == 1
    assert "Unknown element 'bogus' in xml scenario file" in stderr
    if tool == "sipperf":
        assert "broken.xml:5:" in stderr


@pytest.mark.parametrize("tool", TOOLS)
def test_unknown_keyword_is_fatal_before_the_run(tool: str, tmp_path: Path) -> None:
    code, stderr = run_broken(tool, tmp_path, UNKNOWN_KEYWORD)
    assert code == 1
    assert "Unsupported keyword 'nosuchkw' in xml scenario file" in stderr
    if tool == "sipperf":
        assert "broken.xml:5:" in stderr  # the keyword's own line, not the line of its <send>


@pytest.mark.parametrize("tool", TOOLS)
def test_unknown_option(tool: str, tmp_path: Path) -> None:
    result = run_tool(tool, "127.0.0.1", "-bogus", cwd=tmp_path)
    assert result.returncode == 1
    assert "Invalid argument: '-bogus'.\nUse 'sipp -h' for details\n" in result.stderr
    assert_no_traceback(result.stderr)


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize("args", [("-v",), ("-h",), ("-sd", "uac")], ids=["v", "h", "sd"])
def test_informational_options_exit_99(tool: str, args: tuple[str, ...], tmp_path: Path) -> None:
    result = run_tool(tool, *args, cwd=tmp_path)
    assert result.returncode == 99
    assert result.stdout
    assert_no_traceback(result.stderr)


@pytest.mark.parametrize("tool", TOOLS)
def test_busy_port_exits_254(tool: str, tmp_path: Path, ports: Callable[[], int]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as holder:
        holder.bind((LOCALHOST, ports()))
        port = holder.getsockname()[1]
        result = run_tool(tool, "-sn", "uas", "-p", str(port), cwd=tmp_path)
    assert result.returncode == 254
    assert "Unable to bind main socket, errno = 98 (Address already in use)" in result.stderr
    assert_no_traceback(result.stderr)
