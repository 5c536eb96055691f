"""Mistakes in the scenario language, through the `sipperf` command next to real SIPp: both refuse
the file before the run with exit code 1 and SIPp's text for the problem; sipperf also names the
file and line of the mistake (SIPp names no line), and never prints a Python traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.helpers import run_tool
from tests.interop.language import TOOLS

# Six lines of a valid client scenario; each case's mistake follows, from line 7 on.
HEAD = """\
<?xml version="1.0"?>
<scenario name="broken">
  <send><![CDATA[
    MESSAGE sip:x@[remote_ip] SIP/2.0
    Content-Length: 0
  ]]></send>
"""
RECV = '<recv response="200"><action>{}</action></recv>'

MISTAKES = {  # the mistake, its line, SIPp's text for it
    "unknown-action": (
        '<nop><action><frobnicate assign_to="x"/></action></nop>', 7,
        "Unknown action: frobnicate"),
    "invalid-regexp": (
        RECV.format('<ereg regexp="a(b" search_in="msg" assign_to="x"/><log message="[$x]"/>'), 7,
        "recomp error : regular expression 'a(b' - error 'Unmatched ( or \\('"),
    "variable-referenced-once": (
        '<nop><action><assign assign_to="lonely" value="1"/></action></nop>', 7,
        "Variable $lonely is referenced 1 times!"),
    "duplicate-label": (
        '<label id="a"/>\n  <nop/>\n  <label id="a"/>', 9,
        "The label name 'a' is used twice."),
    "undefined-next-label": (
        '<nop next="nowhere"/>', 7,
        "The label 'nowhere' was not defined (index 1, next attribute)"),
    "missing-assign_to": (
        RECV.format('<ereg regexp="a" search_in="msg"/>'), 7,
        "assign_to value is missing"),
    "check_it-and-inverse": (
        RECV.format('<ereg regexp="a" search_in="msg" check_it="true" check_it_inverse="true" assign_to="x"/>'
                    '<log message="[$x]"/>'), 7,
        "Can not have both check_it and check_it_inverse for ereg!"),
    "unknown-compare": (
        '<nop><action><assign assign_to="x" value="1"/><log message="[$y]"/>\n'
        '  <test assign_to="y" variable="x" compare="roughly" value="1"/></action></nop>', 8,
        "Invalid 'compare' parameter: roughly"),
    "bad-distribution-parameter": (
        '<pause distribution="uniform" min="abc" max="10"/>', 7,
        'Uniform distribution \'min\' parameter, "abc" is not a floating point number!'),
    "malformed-xml": (
        '<nop><action><log message="a < b"/></action></nop>', 7,
        "Invalid XML in scenario"),
    "unknown-keyword-in-an-action": (
        '<nop><action><log message="[nosuchkeyword]"/></action></nop>', 7,
        "Unsupported keyword 'nosuchkeyword' in xml scenario file"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MISTAKES))
def test_a_mistake_is_refused_with_its_line(case: str, tmp_path: Path) -> None:
    mistake, line, message = MISTAKES[case]
    (tmp_path / "broken.xml").write_text(f"{HEAD}  {mistake}\n</scenario>\n")
    results = {
        tool: run_tool(tool, "-sf", str(tmp_path / "broken.xml"), "127.0.0.1:9", "-p", "0", "-m", "1",
                       cwd=tmp_path / tool)
        for tool in TOOLS
    }  # fmt: skip
    for tool, result in results.items():
        assert result.returncode == 1, (tool, result.stderr)
        assert message in result.stderr, (tool, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
    assert f"broken.xml:{line}: {message}" in results["sipperf"].stderr
