"""Injection files: reading (SIPp 3.6.1's texts and rules, CRLF as 3.7), PRINTF, the line each call
takes, `[fieldN]`, the -infindex data store and its actions, the loader's checks, and calls in memory.
Expected values were checked against sipp 3.6.1 running the same files."""

import random

import pytest

from sipperf.engine.engine import EngineSettings
from sipperf.errors import FatalError, ScenarioError
from sipperf.scenario.injection import AUTOMATIC_CALL, Order, base_name, load_files, read_file
from sipperf.scenario.keywords import is_known
from sipperf.scenario.loader import load_file
from sipperf.scenario.template import Template, normalize_cdata
from sipperf.scenario.variables import Scope
from tests.unit.memory_net import MemoryNet
from tests.unit.test_actions import FakeCall, parse
from tests.unit.test_template import context


def write(tmp_path, text, name="users.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return str(path)


def load(tmp_path, text, name="users.csv"):
    return read_file(write(tmp_path, text, name))


def fields(data, line, count, warnings=None):
    warn = (warnings if warnings is not None else []).append
    return [data.field(line, n, warn) for n in range(count)]


# -- reading ---------------------------------------------------------------------------------------
def test_comments_are_skipped_and_the_first_empty_line_ends_the_file(tmp_path):
    data = load(tmp_path, "SEQUENTIAL\n# a comment\nalice;pw1;x\nbob;pw2\ncarol;;z;\n\ndave;after\n")
    assert data.order is Order.SEQUENTIAL and data.count == 3
    assert fields(data, 0, 3) == ["alice", "pw1", "x"]
    assert fields(data, 2, 4) == ["carol", "", "z", ""]


def test_a_missing_field_is_empty_with_sipps_warning_naming_the_file_as_given(tmp_path):
    data = load(tmp_path, "SEQUENTIAL\nbob;pw2\n")
    warnings = []
    assert fields(data, 0, 4, warnings) == ["bob", "pw2", "", ""]
    assert warnings == [f"Field {n} not found in the file {data.path}" for n in (2, 3)]


def test_crlf_lines_lose_their_cr_as_in_sipp_37(tmp_path):
    data = load(tmp_path, "SEQUENTIAL,PRINTF=3,PRINTFOFFSET=5\r\nu%d;a\r\n\r\nb\r\n")
    assert fields(data, 0, 2) == ["u5", "a"] and fields(data, 2, 1) == ["b"]
    assert data.rows[1] == [""]  # a "\r" line is not empty: SIPp reads it as data


@pytest.mark.parametrize(
    ("header", "order"),
    [("RANDOM", Order.RANDOM), ("x SEQUENTIAL", Order.SEQUENTIAL), ("USERS", Order.USER),
     ("USER,SEQUENTIAL", Order.SEQUENTIAL), ("SEQUENTIAL,RANDOM", Order.RANDOM)],
)  # fmt: skip
def test_the_order_is_found_as_a_substring_random_first(tmp_path, header, order):
    assert load(tmp_path, header + "\na\n").order is order


def test_files_go_by_their_base_name():
    assert [base_name(p) for p in ("data/users.csv", "users.csv", "a\\b.csv", "a\\b/c.csv")] == [
        "users.csv", "users.csv", "b.csv", "c.csv",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("FOO\na\n", "Unknown file type (valid values are RANDOM, SEQUENTIAL, and USER) for {}:FOO"),
        ("", "Unknown file type (valid values are RANDOM, SEQUENTIAL, and USER) for {}:"),
        ("SEQUENTIAL\n", "Input file has zero lines: {}"),
        ("SEQUENTIAL\n\na\n", "Input file has zero lines: {}"),
        ("SEQUENTIAL\n#c\n", "Input file has zero lines: {}"),
        ("SEQUENTIAL,PRINTF\na\n", "Invalid file printf specification (requires =) for {}:SEQUENTIAL,PRINTF"),
        (
            "SEQUENTIAL,PRINTF=0\na\n",
            "A printf file must have at least one virtual line {}:SEQUENTIAL,PRINTF=0",
        ),
        (
            "SEQUENTIAL,PRINTF=3x\na\n",
            "Invalid file printf specification for (invalid end character 'x') {}:SEQUENTIAL,PRINTF=3x",
        ),
        (  # SIPp 3.6.1 finds PRINTF at the start of PRINTFOFFSET
            "SEQUENTIAL,PRINTFOFFSET=3\na\n",
            "Invalid file printf specification (requires =) for {}:SEQUENTIAL,PRINTFOFFSET=3",
        ),
        (
            "SEQUENTIAL,PRINTF=3,PRINTFOFFSET=3x\na\n",
            "Invalid PRINTFOFFSET specification for (invalid end character 'x') "
            "{}:SEQUENTIAL,PRINTF=3,PRINTFOFFSET=3x",
        ),
        (
            "SEQUENTIAL,PRINTF=3,PRINTFMULTIPLE=x\na\n",
            "Invalid PRINTFOFFSET specification for (invalid end character 'x') "
            "{}:SEQUENTIAL,PRINTF=3,PRINTFMULTIPLE=x",
        ),
    ],
)
def test_unusable_files_are_fatal_with_sipps_texts_and_exit_code_1(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(FatalError) as caught:
        read_file(path)
    assert caught.value.message == message.format(path) and caught.value.code == 1


def test_a_missing_file_cannot_be_opened(tmp_path):
    with pytest.raises(FatalError) as caught:
        load_files([str(tmp_path / "nope.csv")], ())
    assert caught.value.message == f"Unable to open file {tmp_path / 'nope.csv'}" and caught.value.code == 1


# -- PRINTF ------------------------------------------------------------------------------------------
def test_printf_lines_are_virtual_and_numbered_with_offset_and_multiple(tmp_path):
    data = load(
        tmp_path,
        "USERS,SEQUENTIAL,PRINTF=4,PRINTFOFFSET=10,PRINTFMULTIPLE=3\nuser%03d;pw%-4d|;Foo;%%d%d\nbob%d;x%.3d;Bar\n",
    )
    assert data.count == 4
    assert fields(data, 0, 4) == ["user010", "pw10  |", "Foo", "%1010"]  # 3.6.1: "%%d" is "%" then "%d"
    assert fields(data, 3, 3) == ["bob19", "x019", "Bar"]
    assert fields(data, 4, 1) == [""]  # past the virtual lines


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("%x", "Invalid printf injection field (only decimal values allowed 'x'): %x"),
        ("50%%", "Invalid printf injection field (ran off end of line): 50%%"),
        ("%5", "Invalid printf injection field (ran off end of line): %5"),
    ],
)
def test_bad_printf_fields_are_fatal_when_rendered(tmp_path, field, message):
    data = load(tmp_path, f"RANDOM,PRINTF=2\n{field}\n")
    with pytest.raises(FatalError) as caught:
        data.field(0, 0, print)
    assert caught.value.message == message


# -- the line of each call ---------------------------------------------------------------------------
def test_sequential_lines_follow_the_call_numbers_and_wrap(tmp_path):
    data = load(tmp_path, "SEQUENTIAL\na\nb\nc\n")
    assert [data.next_line(n, 0) for n in range(1, 8)] == [0, 1, 2, 0, 1, 2, 0]
    assert data.next_line(101, 0) == 1  # with -workers another process took the numbers between


def test_an_insert_keeps_the_sequence_where_sipps_counter_is(tmp_path):
    data = load(tmp_path, "SEQUENTIAL\na\nb\nc\n")
    assert [data.next_line(n, 0) for n in (1, 2)] == [0, 1]
    data.insert("d", print)  # SIPp's counter is at 2 and now wraps at 4
    assert [data.next_line(n, 0) for n in (3, 4, 5)] == [2, 3, 0]


def test_random_lines_stay_in_the_file(tmp_path):
    data = load(tmp_path, "RANDOM\na\nb\nc\n")
    random.seed(7)
    assert {data.next_line(n, 0) for n in range(1, 200)} == {0, 1, 2}


def test_user_lines_are_the_users_and_none_without_one(tmp_path):
    data = load(tmp_path, "USER\nu1\nu2\n")
    assert (data.next_line(1, 0), data.next_line(1, 2)) == (-1, 1)
    assert fields(data, -1, 1) == [""]
    with pytest.raises(FatalError) as caught:
        data.next_line(1, 3)
    assert caught.value.message == f"{data.path} has only 2 lines, yet user 3 was requested."


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("1.000000", 1),
        ("", 0),
        (" 1", 1),
        ("1.9", 1),
        ("-1", -1),
        ("2", 2),
        ("3", -1),
        ("12345678901234567890", -(2**31)),
    ],
)
def test_a_requested_line_is_c_strtod_of_the_text_and_none_past_the_end(tmp_path, text, line):
    assert load(tmp_path, "SEQUENTIAL\na\nb\n").requested_line(text) == line


def test_a_requested_line_that_is_not_a_number_is_fatal(tmp_path):
    with pytest.raises(FatalError, match="^Invalid line number generated: 'abc'$"):
        load(tmp_path, "SEQUENTIAL\na\n").requested_line("abc")


# -- -infindex and the data store -------------------------------------------------------------------
def test_index_lookup_insert_and_replace(tmp_path):
    data = load(tmp_path, "SEQUENTIAL\nalice;1\nbob;2\nalice;3\n")
    data.build_index(0)
    assert (data.lookup("alice"), data.lookup("bob"), data.lookup("nobody")) == (2, 1, -1)  # last line wins
    data.insert("carol;4", print)
    assert data.lookup("carol") == 3 and data.count == 4 and fields(data, 3, 2) == ["carol", "4"]
    data.replace(0, "zed;z", print)
    assert data.lookup("zed") == 0 and data.lookup("alice") == 2  # line 0 was not alice's in the index
    data.replace(2, "zed;zz", print)
    assert data.lookup("zed") == 2 and data.lookup("alice") == -1


def test_reindexing_a_line_without_the_field_warns(tmp_path):
    data = load(tmp_path, "SEQUENTIAL\na;1\n")
    data.build_index(1)
    warnings = []
    data.replace(0, "x", warnings.append)
    assert data.lookup("") == 0 and warnings == [f"Field 1 not found in the file {data.path}"]


def test_the_index_of_a_printf_file_covers_its_virtual_lines(tmp_path):
    data = load(tmp_path, "SEQUENTIAL,PRINTF=5\nu%03d;p\n")
    data.build_index(0)
    assert data.lookup("u004") == 4


@pytest.mark.parametrize(
    ("text", "act", "message"),
    [
        ("SEQUENTIAL\na\n", lambda d: d.lookup("a"), "Invalid Index File: {}"),
        (
            "SEQUENTIAL,PRINTF=5\na\n",
            lambda d: d.insert("b", print),
            "Can not insert or replace into a printf file: {}",
        ),
        (
            "SEQUENTIAL,PRINTF=5\na\n",
            lambda d: d.replace(0, "b", print),
            "Can not insert or replace into a printf file: {}",
        ),
        (
            "SEQUENTIAL\na\n",
            lambda d: d.replace(1, "b", print),
            "Invalid line number (1) for file: {} (1 lines)",
        ),
        (
            "SEQUENTIAL\na\n",
            lambda d: d.replace(-1, "b", print),
            "Invalid line number (-1) for file: {} (1 lines)",
        ),
    ],
)
def test_data_store_errors_are_sipps(tmp_path, text, act, message):
    data = load(tmp_path, text)
    with pytest.raises(FatalError) as caught:
        act(data)
    assert caught.value.message == message.format(data.path)


def test_files_by_name_the_first_is_the_default_and_indexes_apply(tmp_path):
    first = write(tmp_path, "SEQUENTIAL\na;1\n", "a.csv")
    (tmp_path / "sub").mkdir()
    second = write(tmp_path, "RANDOM\nb;2\n", "sub/b.csv")
    files = load_files([first, second], [("b.csv", 1)])
    assert files is not None and files.default == "a.csv" and files.names == ("a.csv", "b.csv")
    assert files.get("b.csv").lookup("2") == 0 and files.position("b.csv") == 1
    assert files.select(1, 0) == (0, 0)
    assert load_files([], []) is None


# -- [fieldN] ----------------------------------------------------------------------------------------
class Call:
    """What a `[fieldN]` renderer reads of a call."""

    def __init__(self, lines, variables=None):
        self.lines = lines
        self.variables = variables
        self.userid = 0
        self.number = 1
        self.msg_index = 0


def bind(text, files):
    ctx = context(1, 5060, 6000, 5061)
    ctx.injection = files
    warnings = []
    ctx.warning = warnings.append
    ctx.compile = lambda line: Template.compile(line, lambda kw: True).bind(ctx)
    template = Template.compile(normalize_cdata(text, True), lambda kw: is_known(kw.name, set()))
    return template.bind(ctx), warnings


def two_files(tmp_path):
    return load_files(
        [
            write(tmp_path, "SEQUENTIAL\nalice;pw1\nbob;pw2\n", "a.csv"),
            write(tmp_path, "SEQUENTIAL\nx\ny\n", "b.csv"),
        ],
        (),
    )


def test_field_keywords_render_the_calls_lines(tmp_path):
    template, warnings = bind(
        'A: [field0] [field1] [field0 file="b.csv"] [field1 line=0] [field0 line="[$n]" file=b.csv]\n'
        "X: [field2]\nB: [field5]x\n",
        two_files(tmp_path),
    )
    text = template.render(Call((1, 0), {"n": 1.0}))
    assert text.split("\r\n")[:3] == ["A: bob pw2 x pw1 y", "X: ", "B: x"]
    assert warnings == [f"Field {n} not found in the file {tmp_path / 'a.csv'}" for n in (2, 5)]


def test_an_empty_field_alone_on_its_line_removes_the_line(tmp_path):
    files = load_files([write(tmp_path, "SEQUENTIAL\nalice;\n")], ())
    template, _ = bind("A: 1\n[field1]\nB: 2\n", files)
    assert template.render(Call((0,))).startswith("A: 1\r\nB: 2\r\n")


def test_automatic_calls_cannot_use_injection_files(tmp_path):
    template, _ = bind("A: [field0]\n", two_files(tmp_path))
    with pytest.raises(FatalError) as caught:
        template.render(Call(None))
    assert caught.value.message == AUTOMATIC_CALL


# -- the loader's checks ---------------------------------------------------------------------------
SCENARIO = """<?xml version="1.0"?>
<scenario name="t">
  <send><![CDATA[
    OPTIONS sip:a SIP/2.0
    X: {}
    Content-Length: 0
  ]]></send>
</scenario>
"""


@pytest.mark.parametrize(
    ("keyword", "files", "message"),
    [
        ("[field0]", (), "No injection file was specified!"),
        ("[field0 file=nope.csv]", (), "Invalid injection file: nope.csv"),
        ("[field0 file=nope.csv]", ("a.csv",), "Invalid injection file: nope.csv"),
        ('[field0 line="[nokw]"]', ("a.csv",), "Unsupported keyword 'nokw' in xml scenario file"),
    ],
)
def test_the_loader_checks_field_keywords_as_sipp(tmp_path, keyword, files, message):
    path = tmp_path / "s.xml"
    path.write_text(SCENARIO.format(keyword))
    with pytest.raises(ScenarioError) as caught:
        load_file(str(path), frozenset(), files)
    assert (caught.value.line, caught.value.what, caught.value.code) == (5, message, 1)


def test_any_keyword_starting_with_field_is_an_injection_field(tmp_path):
    path = tmp_path / "s.xml"
    path.write_text(SCENARIO.format("[fieldx] [field] [field1x] [fields file=a.csv]"))
    load_file(str(path), frozenset(), ("a.csv",))


# -- lookup, insert, replace -----------------------------------------------------------------------
class StoreCall(FakeCall):
    """An ActionContext that also has -inf files."""

    def __init__(self, files):
        super().__init__()
        self.files = files

    def injection_file(self, name):
        return self.files.get(name) if self.files is not None else None


def act(xml, files):
    call = StoreCall(files)
    for action in parse(xml):
        action.run(call)
    return call


def test_lookup_insert_and_replace_actions(tmp_path):
    files = load_files([write(tmp_path, "SEQUENTIAL\nalice;1\nbob;2\n", "idx.csv")], [("idx.csv", 0)])
    call = act(
        '<lookup assign_to="a" file="idx.csv" key="bob"/><lookup assign_to="n" file="idx.csv" key="x"/>'
        '<insert file="idx.csv" value="carol;3"/><lookup assign_to="c" file="idx.csv" key="carol"/>'
        '<replace file="idx.csv" line=" 0.5" value="dave;4"/>'
        '<lookup assign_to="d" file="idx.csv" key="dave"/>',
        files,
    )
    assert [call.tables[Scope.CALL][v] for v in "ancd"] == [1.0, -1.0, 2.0, 0.0]


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ('<lookup assign_to="v" file="nope.csv" key="a"/>', "Invalid injection file for insert: nope.csv"),
        ('<insert file="nope.csv" value="a"/>', "Invalid injection file for insert: nope.csv"),
        ('<replace file="nope.csv" line="abc" value="a"/>', "Invalid injection file for replace: nope.csv"),
        ('<replace file="idx.csv" line="abc" value="a"/>', "Invalid line number for replace: abc"),
    ],
)
def test_data_store_actions_fail_at_run_time_as_sipp(tmp_path, xml, message):
    files = load_files([write(tmp_path, "SEQUENTIAL\nalice;1\n", "idx.csv")], ())
    with pytest.raises(FatalError) as caught:
        act(xml, files)
    assert caught.value.message == message


def test_without_any_file_every_name_is_unknown():
    with pytest.raises(FatalError, match="^Invalid injection file for insert: a.csv$"):
        act('<insert file="a.csv" value="a"/>', None)


# -- calls in memory ---------------------------------------------------------------------------------
UAC_WITH_FIELDS = """<?xml version="1.0"?>
<scenario name="fields">
  <init><nop><action><log message="init [field0]"/></action></nop></init>
  <send><![CDATA[
    OPTIONS sip:[field0]@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:[field0]@[local_ip]>;tag=[call_number]
    To: <sip:x@[remote_ip]>
    Call-ID: [call_id]
    CSeq: 1 OPTIONS
    Content-Length: 0
  ]]></send>
</scenario>
"""


def test_every_call_and_the_init_call_take_the_next_sequential_line(tmp_path):
    scenario_path = tmp_path / "fields.xml"
    scenario_path.write_text(UAC_WITH_FIELDS)
    files = load_files([write(tmp_path, "SEQUENTIAL\nalice\nbob\ncarol\n")], ())
    scenario = load_file(str(scenario_path), frozenset(), files.names)
    net = MemoryNet()
    uac = net.add(scenario, 5061, 5060, EngineSettings(rate=100.0, max_calls=5), injection=files)
    logs = []
    uac.trace_log = logs.append
    uac.run_init()
    net.run(1000, [uac])
    users = [d.first_line.split()[1] for d in net.wire]
    assert logs == ["init alice"]
    assert users[:4] == ["sip:bob@127.0.0.1:5060", "sip:carol@127.0.0.1:5060", "sip:alice@127.0.0.1:5060",
                         "sip:bob@127.0.0.1:5060"]  # fmt: skip
