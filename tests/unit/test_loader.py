"""Unit tests of the scenario loader: the built-ins, and file:line errors for broken files."""

import pytest

from sipperf.errors import ScenarioError
from sipperf.scenario.loader import load_builtin, load_file
from sipperf.scenario.model import Mode, StepKind

HEAD = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="t">\n'
OPTIONS = "<send><![CDATA[\n OPTIONS sip:a SIP/2.0\n Content-Length: 0\n]]></send>\n"


def write(tmp_path, body, name="s.xml"):
    path = tmp_path / name
    path.write_text(HEAD + body + "</scenario>\n", encoding="latin-1")
    return str(path)


def test_builtin_uac_model():
    uac = load_builtin("uac")
    assert uac.mode is Mode.CLIENT and uac.name == "uac" and uac.title == "Basic Sipstone UAC"
    assert [s.label for s in uac.steps] == ["INVITE", "100", "180", "183", "200", "ACK", "", "BYE", "200"]
    assert [s.optional for s in uac.steps[1:5]] == [True, True, True, False]
    assert uac.steps[0].retrans == 500 and uac.steps[0].is_invite
    assert uac.steps[4].rtd == "1" and uac.rtd_names == ("1",)
    assert uac.steps[8].crlf and uac.steps[8].methods_before == "INVITEACKBYE"
    assert uac.response_time_repartition == (10, 20, 30, 40, 50, 100, 150, 200)
    assert uac.call_length_repartition == (10, 50, 100, 500, 1000, 5000, 10000)


def test_builtin_uas_model():
    uas = load_builtin("uas")
    assert uas.mode is Mode.SERVER
    assert uas.steps[-1].kind is StepKind.PAUSE and uas.steps[-1].timewait and uas.steps[-1].pause_ms == 4000
    assert uas.steps[3].optional and uas.steps[3].rtd == "1"


def test_file_name_gives_the_scenario_name_and_labels_resolve(tmp_path):
    path = write(
        tmp_path,
        OPTIONS
        + '<recv response="200" next="end"/>\n'
        + OPTIONS
        + '<label id="end"/>\n<recv response="200"/>\n',
        name="my_scen.xml",
    )
    scen = load_file(path)
    assert scen.name == "my_scen"
    assert scen.steps[1].next == 3 and scen.labels == {"end": 3}


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "<send><![CDATA[\n INFO sip:a SIP/2.0\n X: [nosuchkw]\n]]></send>\n",
            5,  # the keyword's own line, not the <send>'s
            "Unsupported keyword 'nosuchkw'",
        ),
        ("<bogus/>\n", 3, "Unknown element 'bogus'"),
        ('<recv response="200" next="nowhere"/>\n', 3, "label 'nowhere'"),
        ('<label id="a"/>\n<label id="a"/>\n' + OPTIONS, 4, "used twice"),
        ('<recv response="100" optional="true"/>\n' + OPTIONS, 3, "without a mandatory message"),
        ('<pause milliseconds="10"/>\n', None, "Unable to determine creation mode"),
        ('<timewait milliseconds="10"/>\n' + OPTIONS, 3, "must be the last"),
        ("<send><![CDATA[\n SIP/2.0 999 Nope\n]]></send>\n", 3, "Response codes must be in the range"),
        ("<send><![CDATA[   ]]></send>\n", 3, "No CDATA in 'send' section"),
        ('<recv response="20x"/>\n', 3, "must be an integer"),
        ('<recv response="200" rrs="maybe"/>\n', 3, 'record route set, "maybe" is not a valid boolean!'),
        (
            '<recv response="200"><action><ereg regexp="a" assign_to="x"/></action></recv>\n',
            None,
            "Variable $x is referenced 1 times!",
        ),
        ('<send start_rtd="x">' + OPTIONS[6:], None, "started but never stopped"),
        ("<send><![CDATA[\n OPTIONS sip:a SIP/2.0\n]]></sendx>\n", 5, "Invalid XML"),
    ],
)
def test_broken_files_name_the_line_and_the_problem(tmp_path, body, line, message):
    path = write(tmp_path, body)
    with pytest.raises(ScenarioError) as caught:
        load_file(path)
    err = caught.value
    assert err.path == path and message in err.message and err.code == 1
    if line is not None:
        assert err.line == line and f"{path}:{line}:" in err.message


def _request(method, txn_attr=""):
    return f"<send {txn_attr}><![CDATA[\n {method} sip:a SIP/2.0\n Content-Length: 0\n]]></send>\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_request("OPTIONS", 'start_txn="t"') + '<recv response="200"/>\n', "has no response recv"),
        (
            _request("INVITE", 'start_txn="i"') + '<recv response="200" response_txn="i"/>\n',
            "has no ack_txn ACK",
        ),
        (
            _request("OPTIONS", 'start_txn="o"')
            + '<recv response="200" response_txn="o"/>\n'
            + _request("ACK", 'ack_txn="o"'),
            "can not be ACKed",
        ),
        (_request("OPTIONS") + '<recv response="200" response_txn="x"/>\n', "is never started"),
    ],
)
def test_transaction_rules(tmp_path, body, message):
    with pytest.raises(ScenarioError, match=message):
        load_file(write(tmp_path, body))


def test_a_valid_invite_transaction_loads(tmp_path):
    body = (_request("INVITE", 'start_txn="i"') + '<recv response="200" response_txn="i"/>\n'
            + _request("ACK", 'ack_txn="i"'))  # fmt: skip
    steps = load_file(write(tmp_path, body)).steps
    assert steps[0].txn == "i" and steps[1].txn == "i" and steps[2].txn == "i"


def test_missing_file_and_wrong_root(tmp_path):
    with pytest.raises(ScenarioError, match="Unable to open scenario file"):
        load_file(str(tmp_path / "none.xml"))
    bad = tmp_path / "root.xml"
    bad.write_text("<notscenario/>")
    with pytest.raises(ScenarioError, match="No 'scenario' section"):
        load_file(str(bad))
