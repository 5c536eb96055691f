"""Unit tests of the command line: value syntax, option semantics, errors, and the help layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sipperf import cli
from sipperf.cli import OPTIONS, SUPPORTED, Exit, Kind, parse_args, split_host_port, wrap
from sipperf.config import Config
from sipperf.errors import FatalError

GOLDEN_HELP = Path(__file__).parents[1] / "golden" / "help.txt"


def parse(*argv: str) -> Config:
    """Parse without refusing options this version does not run yet."""
    return parse_args(list(argv), check_supported=False)


def fatal(*argv: str, check_supported: bool = False) -> FatalError:
    with pytest.raises(FatalError) as info:
        parse_args(list(argv), check_supported=check_supported)
    assert info.value.code == 1
    return info.value


# ---------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("argv", "field", "ms"),
    [
        (["-d", "2s"], "d", 2000),
        (["-d", "2"], "d", 2),
        (["-d", "1.5"], "d", 1),
        (["-d", "1e3"], "d", 1000),
        (["-d", "0x10"], "d", 16),
        (["-d", "250ms"], "d", 250),
        (["-rp", "1.5s"], "rp", 1500),
        (["-rp", "1m"], "rp", 60_000),
        (["-timeout", "20"], "timeout", 20_000),
        (["-timeout", "500ms"], "timeout", 500),
        (["-timeout", "1h"], "timeout", 3_600_000),
        (["-fd", "0.5"], "fd", 500),
        (["-f", "2"], "f", 2000),
        (["-sleep", "3"], "sleep", 3000),
        (["-rate_interval", "10"], "rate_interval", 10_000),
        (["-recv_timeout", "4s"], "recv_timeout", 4000),
        (["-T2", "8000"], "T2", 8000),
        (["-timer_resol", "10"], "timer_resol", 10),
        (["-deadcall_wait", "0"], "deadcall_wait", 0),
    ],
)
def test_time_values_are_milliseconds(argv: list[str], field: str, ms: int) -> None:
    assert getattr(parse(*argv), field) == ms


SECONDS = {"sleep", "rate_interval", "timeout", "f", "fd"}


@pytest.mark.parametrize("opt", [o for o in OPTIONS if o.kind in (Kind.TIME_S, Kind.TIME_MS)], ids=str)
def test_default_time_unit(opt: cli.Option) -> None:
    expected = 1000 if opt.name in SECONDS else 1
    assert getattr(parse(f"-{opt.name}", "3"), opt.dest) == 3 * expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", '-d, "abc" is not a valid time!'),
        ("1x", '-d, "1x" is not a valid time!'),
        ("5S", '-d, "5S" is not a valid time!'),
        ("-5", '-d, "-5" is not a valid time!'),
        (".5", '-d, ".5" is not a valid time!'),
        ("", '-d, "" is not a valid time!'),
        ("2:00", '-d, "2:00" mm:ss not implemented yet!'),
        ("1:2:3", '-d, "1:2:3" hh:mm:ss not implemented yet!'),
        ("1:2:3:4", '-d, "1:2:3:4" is not a valid time!'),
    ],
)
def test_bad_times(value: str, message: str) -> None:
    assert fatal("-d", value).message == message


# ---------------------------------------------------------------- numbers and bools


@pytest.mark.parametrize(
    ("value", "expected"),
    [("10", 10), ("0x10", 16), ("0X1f", 31), ("010", 8), ("0", 0), ("-5", -5), ("+7", 7), (" 5", 5), ("", 0)],
)
def test_integers_are_c_strtol_base_0(value: str, expected: int) -> None:
    assert parse("-m", value).m == expected


@pytest.mark.parametrize("value", ["12abc", "0x10x", "08", "0x", "1e3", "5 ", " ", "1.5"])
def test_integer_junk_is_fatal(value: str) -> None:
    assert fatal("-l", value).message == f'-l, "{value}" is not a valid integer!'


def test_integer_error_names_the_option_as_typed() -> None:
    assert fatal("--cp", "x").message == '--cp, "x" is not a valid integer!'


@pytest.mark.parametrize(
    ("value", "expected"), [("2.5", 2.5), ("1e2", 100.0), ("0x10", 16.0), (".5", 0.5), ("7.", 7.0)]
)
def test_floats(value: str, expected: float) -> None:
    assert parse("-r", value).r == expected


@pytest.mark.parametrize("value", ["abc", "1x", ".5x", "1e", " "])
def test_float_junk_is_fatal(value: str) -> None:
    assert fatal("-r", value).message == f'-r, "{value}" is not a floating point number!'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("0x1", True),
        ("2", True),
    ],
)
def test_bools(value: str, expected: bool) -> None:
    assert parse("-reconnect_close", value).reconnect_close is expected


def test_bool_junk_is_fatal() -> None:
    assert fatal("-message_overwrite", "yes").message == '-message_overwrite, "yes" is not a valid boolean!'


def test_flags_and_strings() -> None:
    config = parse("-aa", "-nr", "-trace_stat", "-s", "alice", "-ap", "secret", "-cid_str", "%u@x")
    assert (config.aa, config.nr, config.trace_stat) == (True, True, True)
    assert (config.s, config.ap, config.cid_str) == ("alice", "secret", "%u@x")


# ---------------------------------------------------------------- remote host and addresses


@pytest.mark.parametrize(
    ("arg", "host", "port"),
    [
        ("127.0.0.1", "127.0.0.1", None),
        ("127.0.0.1:5070", "127.0.0.1", 5070),
        ("example.com:5080", "example.com", 5080),
        ("[::1]", "::1", None),
        ("[::1]:5070", "::1", 5070),
        ("[2001:db8::7]:5061", "2001:db8::7", 5061),
        ("::1", "::1", None),
        ("host:0", "host", None),
    ],
)
def test_remote_host_positional(arg: str, host: str, port: int | None) -> None:
    config = parse(arg)
    assert (config.remote_host, config.remote_port) == (host, port)
    assert split_host_port(arg) == (host, port)


def test_last_positional_wins_and_options_may_come_first() -> None:
    config = parse("-r", "5", "10.0.0.1", "-m", "3", "10.0.0.2:5062")
    assert (config.remote_host, config.remote_port, config.r, config.m) == ("10.0.0.2", 5062, 5.0, 3)


def test_no_positional_means_no_remote_host() -> None:
    config = parse("-sn", "uas")
    assert (config.remote_host, config.remote_port) == (None, None)


def test_option_value_is_never_a_positional() -> None:
    assert parse("-s", "1.2.3.4").remote_host is None


def test_ip_options_drop_brackets_and_port() -> None:
    config = parse("-i", "[::1]:5060", "-mi", "10.0.0.1:4000")
    assert (config.i, config.mi) == ("::1", "10.0.0.1")


# ---------------------------------------------------------------- repeated and two-argument options


def test_key_pairs_keep_order_and_allow_empty_values() -> None:
    config = parse("-key", "a", "1", "-key", "empty", "", "-key", "a", "2")
    assert config.keys == (("a", "1"), ("empty", ""), ("a", "2"))


def test_set_pairs() -> None:
    assert parse("-set", "x", "5", "-set", "y", "hello world").set_vars == (("x", "5"), ("y", "hello world"))


def test_repeated_inf_and_infindex_by_base_name() -> None:
    config = parse("-inf", "data/users.csv", "-inf", "b.csv", "-infindex", "users.csv", "0x1")
    assert config.inf == ("data/users.csv", "b.csv")
    assert config.infindex == (("users.csv", 1),)


def test_infindex_needs_an_earlier_inf() -> None:
    assert fatal("-infindex", "users.csv", "0", "-inf", "users.csv").message == (
        "Could not find file for -infindex: users.csv"
    )
    assert fatal("-inf", "u.csv", "-infindex", "u.csv", "x").message == (
        "Invalid field specification for -infindex: x"
    )


def test_defaults() -> None:
    config = Config()
    assert parse("-m", "1") == config._replace(m=1)
    assert (config.m, config.l, config.au, config.sn, config.sf, config.i) == (None,) * 6
    assert (config.p, config.t, config.users, config.rate_interval, config.max_retrans) == (
        0,
        "u1",
        None,
        None,
        None,
    )
    assert (config.max_invite_retrans, config.max_non_invite_retrans) == (5, 9)
    assert (config.r, config.rp, config.timer_resol, config.deadcall_wait, config.buff_size) == (
        10.0, 1000, 1, 33000, 65535,
    )  # fmt: skip
    assert config.default_behaviors == {"bye", "abortunexp", "pingreply", "cseq"}
    assert config.workers == 1


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Config().r = 3.0  # type: ignore[misc]


# ---------------------------------------------------------------- default behaviours


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("all", {"bye", "abortunexp", "pingreply", "cseq"}),
        ("all,-bye", {"abortunexp", "pingreply", "cseq"}),
        ("bye,pingreply", {"bye", "pingreply"}),
        ("+bye,+cseq", {"bye", "cseq"}),
        ("none", set()),
        ("", set()),
        ("all,none,bye", {"bye"}),
        ("bye,-all,abortunexp", {"abortunexp"}),
        ("-bye", set()),
        ("all,,-cseq", {"bye", "abortunexp", "pingreply"}),
    ],
)
def test_default_behaviors_arithmetic(value: str, expected: set[str]) -> None:
    assert parse("-default_behaviors", value).default_behaviors == expected


@pytest.mark.parametrize("value", ["foo", "+none", "all,Bye"])
def test_unknown_default_behavior_is_fatal(value: str) -> None:
    token = value.split(",")[-1]
    assert fatal("-default_behaviors", value).message == f"Unknown default behavior: '{token}'"


def test_nd_and_default_behaviors_last_one_wins() -> None:
    assert parse("-nd").default_behaviors == frozenset()
    assert parse("-nd", "-default_behaviors", "bye").default_behaviors == {"bye"}
    assert parse("-default_behaviors", "bye", "-nd").default_behaviors == frozenset()


# ---------------------------------------------------------------- errors


def test_unknown_option_prints_help_then_fails(capsys: pytest.CaptureFixture[str]) -> None:
    err = fatal("-r", "5", "-bogus", "-v")
    assert (err.message, err.hint) == ("Invalid argument: '-bogus'.", "Use 'sipp -h' for details")
    assert capsys.readouterr().out == cli.help_text()


@pytest.mark.parametrize("token", ["-V", "---v", "-", "--", "-Sf"])
def test_names_are_exact(token: str) -> None:
    assert fatal(token).message == f"Invalid argument: '{token}'."


def test_double_dash_prefix() -> None:
    assert parse("--trace_msg", "--r", "3").trace_msg is True


def test_missing_argument() -> None:
    err = fatal("127.0.0.1", "-m")
    assert (err.message, err.hint) == ("Missing argument for param '-m'.", "Use 'sipp -h' for details")


def test_missing_second_argument_names_the_first_one_like_sipp() -> None:
    assert fatal("-key", "name").message == "Missing argument for param 'name'."


def test_next_option_is_taken_as_the_value_like_sipp() -> None:
    assert fatal("-r", "-m", "1").message == '-r, "-m" is not a floating point number!'


def test_unsupported_option_is_refused() -> None:
    err = fatal("127.0.0.1", "-ap", "x", "-rtp_echo", check_supported=True)
    assert err.message == "option -rtp_echo is not supported yet"
    assert fatal("-users", "4", "-workers", "2", check_supported=True).message == (
        "option -users is not supported with -workers yet"
    )
    assert fatal("--rtp_echo", check_supported=True).message == "option -rtp_echo is not supported yet"


def test_supported_options_pass_the_check() -> None:
    config = parse_args(["127.0.0.1:5070", "-r", "5", "-m", "10", "-trace_stat", "-nd", "-workers", "1"])
    assert (config.r, config.m, config.workers) == (5.0, 10, 1)


@pytest.mark.parametrize("mode", ["un", "ui", "t1", "tn", "l1", "ln", "s1", "sn", "c1", "cn"])
def test_other_transports_are_not_supported_yet(mode: str) -> None:
    assert fatal("-t", mode, check_supported=True).message == f"transport mode '{mode}' is not supported yet"
    assert parse("-t", mode, "-inf", "x.csv").t == mode


@pytest.mark.parametrize("mode", ["u", "xx", "u1x", "U1"])
def test_invalid_transport(mode: str) -> None:
    err = fatal("-t", mode)
    assert (err.message, err.hint) == (
        f"Invalid argument for -t param : '{mode}'.",
        "Use 'sipp -h' for details",
    )


def test_ui_needs_inf() -> None:
    assert fatal("-t", "ui").message == "You must use the -inf option when using -t ui."


def test_workers() -> None:
    assert parse_args(["-workers", "1"]).workers == 1
    assert parse("-workers", "4").workers == 4
    assert parse("-workers", "auto").workers >= 1
    assert parse_args(["-workers", "4"]).workers == 4
    assert parse_args(["-workers", "2", "-trace_msg", "-trace_err", "-trace_logs"]).trace_msg
    assert fatal("-workers", "0").message == '-workers, "0" is not a valid number of workers!'


def test_rtcheck() -> None:
    assert parse_args(["-rtcheck", "loose"]).rtcheck == "loose"
    assert fatal("-rtcheck", "strict").message == "Unknown retransmission detection method: strict"


def test_scenario_names() -> None:
    assert parse_args(["-sn", "uas"]).sn == "uas"
    assert fatal("-sn", "foo").message == "Invalid default scenario name 'foo'"
    assert fatal("-oocsn", "foo").message == "Invalid default scenario name 'foo'"
    for name in ("regexp", "branchc", "branchs"):
        assert parse_args(["-sn", name]).sn == name
    assert fatal("-sn", "3pcc-A", check_supported=True).message == "scenario '3pcc-A' is not supported yet"


def test_one_main_scenario_only() -> None:
    assert fatal("-sn", "uac", "-sf", "x.xml").message == "Internal error, main_scenario already set"
    assert fatal("-sf", "x.xml", "-sf", "y.xml").message == "Internal error, main_scenario already set"


def test_l_after_users_is_fatal_but_not_before() -> None:
    assert (
        fatal("-users", "3", "-l", "5").message
        == "Can not set open call limit (-l) when -users is specified."
    )
    config = parse("-l", "5", "-users", "3")
    assert (config.l, config.users) == (5, 3)


def test_3pcc_conflicts() -> None:
    assert fatal("-master", "m", "-3pcc", "h").message == (
        "-3PCC option is not compatible with -master and -slave options"
    )
    assert fatal("-slave_cfg", "f").message == "-slave_cfg option must be used with -slave or -master option"
    assert parse("-3pcc", "127.0.0.1:6060").threepcc == "127.0.0.1:6060"


# ---------------------------------------------------------------- help, version, -sd


def test_no_arguments_help_and_version_exit_99(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["-h"], ["-help"], ["-h", "stat"], ["127.0.0.1", "--h"]):
        with pytest.raises(Exit) as info:
            parse_args(argv)
        assert info.value.code == 99
        assert capsys.readouterr().out == cli.help_text()
    with pytest.raises(Exit):
        parse_args(["-v", "-bogus"])
    assert capsys.readouterr().out.startswith("\n sipperf v")


def test_sd_unknown_name() -> None:
    assert fatal("-sd", "nope").message == "Invalid default scenario name 'nope'"
    assert fatal("-sd", "uac_pcap").message == "scenario 'uac_pcap' is not supported yet"


def test_table_is_consistent_with_config() -> None:
    names = [o.name for o in OPTIONS]
    assert len(names) == len(set(names))
    assert SUPPORTED <= set(names)
    config_fields = set(Config._fields) - {"remote_host", "remote_port"}
    dests = {o.dest for o in OPTIONS if o.dest}
    assert dests == config_fields
    for opt in OPTIONS:
        if opt.dest is None:
            assert opt.kind in (Kind.HELP, Kind.VERSION, Kind.DUMP)
    assert cli._BY_NAME["r"].default == 10.0
    assert cli._BY_NAME["3pcc"].dest == "threepcc"
    assert cli._BY_NAME["key"].dest == "keys"
    assert cli._BY_NAME["set"].dest == "set_vars"


# Options whose help text sipperf corrects or extends; every other one must match SIPp's byte for byte.
CHANGED_HELP = {"t", "p", "sendbuffer_warn", "default_behaviors", "nd", "max_retrans", "timer_resol",
                "trace_stat", "trace_error_codes", "trace_screen"}  # fmt: skip


def _option_blocks(text: str) -> dict[str, str]:
    """Help text -> {option name: its lines}, split at each `   -name` line."""
    blocks = re.split(r"\n(?=   -)|\n\n", text)
    return {m.group(1): block for block in blocks if (m := re.match(r"   -([A-Za-z]\w*|3pcc) *:", block))}


def test_help_blocks_match_sipp() -> None:
    golden = _option_blocks(GOLDEN_HELP.read_text())
    ours = _option_blocks(cli.help_text())
    assert len(golden) > 100
    for name, block in golden.items():
        if name not in CHANGED_HELP:
            assert ours[name] == block, name
    assert set(golden) <= set(ours)


def test_help_layout_examples() -> None:
    text = cli.help_text()
    assert (
        "   -max_socket      : Set the max number of sockets to open simultaneously. This option is\n"
        "                      significant if you use one socket per call. Once this limit is reached,\n"
        "                      traffic is distributed over the sockets already opened. Default value is\n"
        "                      50000\n"
    ) in text
    assert "   -callid_slash_ign: Don't treat" in text
    assert "   -max_invite_retrans: Maximum number" in text
    assert "\n*** Scenario file options:\n\n   -sd              : Dumps" in text
    assert "\n*** sipperf options:\n\n   -workers         : " in text
    assert "is 5 for INVITE transactions and 9 for others.\n" in text
    assert "  255: Any other fatal error\n" in text
    assert "  254: Fatal error binding a socket" in text
    assert "-1: Fatal error" not in text


def test_wrap() -> None:
    assert wrap("short") == "short"
    assert wrap("a\nb") == "a\n" + " " * 22 + "b"
    assert wrap("x\n- item " + "word " * 20).split("\n")[2].startswith(" " * 24 + "word")
    long_word = "y" * 100
    assert wrap(long_word) == "y" * 78 + "\n" + " " * 22 + "y" * 22
