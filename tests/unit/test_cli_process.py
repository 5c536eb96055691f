"""The `sipperf` command as a process: exit codes and what goes to stdout and stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sipperf

ROOT = Path(__file__).parents[2]
GOLDEN = ROOT / "tests" / "golden"
BUILTIN = ROOT / "src" / "sipperf" / "scenario" / "builtin"


def sipperf_run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "sipperf", *args], capture_output=True, stdin=subprocess.DEVNULL, timeout=30
    )


@pytest.mark.parametrize("args", [(), ("-h",), ("-help",), ("--h",), ("-h", "stat")])
def test_help_exits_99(args: tuple[str, ...]) -> None:
    result = sipperf_run(*args)
    assert result.returncode == 99
    assert result.stdout.startswith(b"\nUsage:\n\n  sipperf remote_host[:remote_port] [options]\n")
    assert b"   -max_socket      : Set the max number of sockets" in result.stdout
    assert result.stderr == b""


def test_the_installed_command_is_the_module_s_entry_point() -> None:
    script = Path(sys.executable).with_name("sipperf")
    result = subprocess.run([script, "-v"], capture_output=True, stdin=subprocess.DEVNULL, timeout=30)
    assert (result.returncode, result.stdout) == (99, sipperf_run("-v").stdout)


def test_the_cycle_collector_is_off_before_the_command_imports_anything() -> None:
    """Start-up's objects live as long as the run: no collector pass over them while made."""
    probe = (
        "import gc, sys\n"
        "class Probe:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'sipperf.cli':\n"
        "            print('collector on:', gc.isenabled())\n"
        "sys.meta_path.insert(0, Probe())\n"
        "sys.argv = ['sipperf', '-v']\n"
        "from sipperf.command import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=30)
    assert result.stdout.startswith(b"collector on: False\n")


def test_version_banner() -> None:
    result = sipperf_run("-v")
    assert result.returncode == 99
    golden = (GOLDEN / "v.txt").read_bytes().split(b"\n")
    golden[1] = f" sipperf v{sipperf.__version__}, compatible with SIPp v{sipperf.SIPP_VERSION}.".encode()
    assert result.stdout == b"\n".join(golden)


@pytest.mark.parametrize("name", ["uac", "uas"])
def test_sd_dumps_the_embedded_scenario(name: str) -> None:
    result = sipperf_run("-sd", name)
    assert result.returncode == 99
    assert result.stdout == (BUILTIN / f"{name}.xml").read_bytes()


def test_sd_unknown_name() -> None:
    result = sipperf_run("-sd", "bogus")
    assert result.returncode == 1
    assert b"Invalid default scenario name 'bogus'" in result.stderr
    assert result.stdout == b""


def test_unknown_option() -> None:
    result = sipperf_run("127.0.0.1", "-bogus")
    assert result.returncode == 1
    assert b": Invalid argument: '-bogus'.\nUse 'sipp -h' for details\n" in result.stderr
    assert result.stdout.startswith(b"\nUsage:")


def test_missing_argument() -> None:
    result = sipperf_run("127.0.0.1", "-r")
    assert result.returncode == 1
    assert b"Missing argument for param '-r'." in result.stderr


def test_bad_value() -> None:
    result = sipperf_run("127.0.0.1", "-l", "12abc")
    assert result.returncode == 1
    assert b'-l, "12abc" is not a valid integer!' in result.stderr


def test_unsupported_option() -> None:
    result = sipperf_run("127.0.0.1", "-rtp_echo")
    assert result.returncode == 1
    assert b"option -rtp_echo is not supported yet" in result.stderr
    assert result.stdout == b""


def test_unsupported_transport() -> None:
    result = sipperf_run("127.0.0.1", "-t", "tn")
    assert result.returncode == 1
    assert b"transport mode 'tn' is not supported yet" in result.stderr
