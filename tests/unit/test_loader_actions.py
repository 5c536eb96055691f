"""The loader and the scenario language around actions: variables, <init>, <Global>/<User>/<Reference>,
DefaultMessage, condexec/test, pause variable/distribution, recv attributes, 3PCC elements. The
error texts are SIPp 3.6.1's (found by loading the same files with `sipp -sf`)."""

import pytest

from sipperf.errors import ScenarioError
from sipperf.scenario.actions import Arithmetic, Ereg, Jump
from sipperf.scenario.distributions import Uniform
from sipperf.scenario.loader import load_file
from sipperf.scenario.model import StepKind
from sipperf.scenario.template import Template
from sipperf.scenario.variables import Scope, VarRef
from tests.unit.test_loader import OPTIONS, write

SEND = OPTIONS  # line 3 of the file written by `write`


def recv(actions: str, attrs: str = "") -> str:
    return f'<recv response="200"{attrs}><action>{actions}</action></recv>\n'


def refused(tmp_path, body: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_file(write(tmp_path, body))
    assert caught.value.code == 1
    return caught.value


@pytest.mark.parametrize(
    ("body", "line", "what"),
    [
        (SEND + recv("\n<bogus/>"), 8, "Unknown action: bogus"),
        (
            SEND + recv('\n<ereg regexp="(" assign_to="x"/>'),
            8,
            "recomp error : regular expression '(' - error 'Unmatched ( or \\('",
        ),
        (SEND + recv('<ereg regexp="a" assign_to="x"/>'), 7, "Variable $x is referenced 1 times!"),
        (SEND + '<recv response="200">\n<action/>\n<action/></recv>', 9, "Duplicate action for t index 1"),
        (SEND + recv('<ereg regexp="a"/>'), 7, "assign_to value is missing"),
        (SEND + recv('<divide assign_to="x" value="0"/>'), 7, "divide actions can not have a value of zero!"),
        (
            SEND + recv('<ereg regexp="a" assign_to="x" check_it="true" check_it_inverse="true"/>'),
            7,
            "Can not have both check_it and check_it_inverse for ereg!",
        ),
        (
            SEND + recv('<test assign_to="x" variable="x" compare="eq" value="1"/>'),
            7,
            "Invalid 'compare' parameter: eq",
        ),
        (
            SEND + '<nop><action><jump value="1"/></action></nop>',
            7,
            "Jump statement at index 1 jumps to itself and causes an infinite loop",
        ),
        (
            SEND + '<nop><action><jump value="3"/></action></nop>',
            7,
            "Jump statement out of range (not 0 <= 3 <= 2)",
        ),
        (SEND + recv('<log message="[nokw]"/>'), 7, "Unsupported keyword 'nokw' in xml scenario file"),
        (
            '<Reference variables="x"/>\n' + SEND + recv('<assign assign_to="x" value="1"/>'),
            3,
            "Could not reference non-existant variable 'x'",
        ),
        ('<Global variables="g"/>\n' + SEND, 3, "Variable $g is referenced 1 times!"),
        (
            '<User variables="u,v"/>\n' + SEND + recv('<assign assign_to="u" value="1"/>'),
            3,
            "Variable $v is referenced 1 times!",
        ),
        ("<Global/>\n" + SEND, 3, "Global is missing the required 'variables' parameter."),
        ("<init>\n<send><![CDATA[x]]></send></init>" + SEND, 4, "Invalid element in an init stanza: 'send'"),
        ('<init><label id="a"/>\n<label id="a"/></init>' + SEND, 4, "The label name 'a' is used twice."),
        (
            '<DefaultMessage id="foo"><![CDATA[BYE sip:x SIP/2.0]]></DefaultMessage>' + SEND,
            3,
            "Internal Error: Unknown default message: foo!",
        ),
        (
            '<DefaultMessage id="bye"></DefaultMessage>' + SEND,
            3,
            "No CDATA in 'send' section of xml scenario file",
        ),
        (SEND + '<recv response="200" condexec="c"/>', 7, "Variable $c is referenced 1 times!"),
        (
            SEND + '<recv response="200" condexec="c" condexec_inverse="yes"/>',
            7,
            "condexec_inverse 'condexec_inverse' parameter, \"yes\" is not a valid boolean!",
        ),
        (
            SEND + '<recv response="200" next="a" test="t"/><label id="a"/>',
            7,
            "Variable $t is referenced 1 times!",
        ),
        (SEND + '<pause variable=""/>', 7, "Transaction names may not be empty for pause"),
        (SEND + '<pause variable="p"/>', 7, "Variable $p is referenced 1 times!"),
        (
            SEND + '<pause distribution="uniform" min="1"/>',
            7,
            "Uniform distribution is missing the required 'max' parameter.",
        ),
        (
            SEND + '<pause milliseconds="abc"/>',
            7,
            'Pause milliseconds, "abc" is not a floating point number!',
        ),
        (
            SEND + '<recv response="200" advance_state="false"/>',
            7,
            "advance_state is allowed only for optional messages (index = 1)",
        ),
        (
            SEND + '<recv response="200" hiderest="maybe"/>',
            7,
            "hiderest 'hiderest' parameter, \"maybe\" is not a valid boolean!",
        ),
        (SEND + '<recv request="(" regexp_match="true"/>', 7, "Invalid regular expression for index 1: ("),
        (
            SEND.replace("Content-Length: 0", "X: [$x]\n Content-Length: 0"),
            5,
            "Variable $x is referenced 1 times!",
        ),
        (
            SEND.replace("Content-Length: 0", "X: [fill variable=f]\n Content-Length: 0"),
            5,
            "Variable $f is referenced 1 times!",
        ),
        (
            SEND + "<sendCmd>\n<![CDATA[Call-ID: [call_id]]]></sendCmd>",
            7,
            "3PCC (sendCmd/recvCmd) is not supported yet",
        ),
        (
            SEND + '<recvCmd><action><assign assign_to="x" value="1"/></action></recvCmd>',
            7,
            "Variable $x is referenced 1 times!",
        ),  # parsed first, refused after the variable check
        (
            SEND + '<sendCmd dest="p"><![CDATA[  ]]></sendCmd>',
            7,
            "No CDATA in 'sendCmd' section of xml scenario file",
        ),
    ],
)
def test_mistakes_name_their_line(tmp_path, body, line, what):
    err = refused(tmp_path, body)
    assert err.what == what
    assert err.line == line


def test_a_variable_used_twice_anywhere_loads(tmp_path):
    body = SEND.replace("Content-Length: 0", "X: [$x]\n Content-Length: 0") + recv(
        '<ereg regexp="a" assign_to="x"/><ereg regexp="b" assign_to="_"/>'
    )
    assert len(load_file(write(tmp_path, body)).steps[1].actions) == 2


def test_unexp_variables_need_one_use_only(tmp_path):
    body = (
        SEND
        + '<recv response="200"/><label id="_unexp.main"/>'
        + '<nop><action><jump variable="_unexp.retaddr"/>'
        + '<pauserestore variable="_unexp.pausedaddr"/></action></nop>'
    )
    scen = load_file(write(tmp_path, body))
    assert scen.unexp_retaddr == VarRef("_unexp.retaddr", Scope.CALL)
    assert scen.unexp_pausedaddr == VarRef("_unexp.pausedaddr", Scope.CALL)


def test_a_declared_global_used_in_init_and_steps(tmp_path):
    body = (
        '<Global variables="g"/><User variables="u"/>\n<init><nop><action><assign assign_to="g" value="1"/>'
        '</action></nop><label id="end"/></init>\n'
        + SEND
        + recv('<add assign_to="u" variable="g"/><log message="[$u]"/>')
    )
    scen = load_file(write(tmp_path, body))
    assert [s.kind for s in scen.init_steps] == [StepKind.NOP]
    (assign,) = scen.init_steps[0].actions
    assert isinstance(assign, Arithmetic) and assign.target == VarRef("g", Scope.GLOBAL)
    assert scen.steps[1].actions[0].target == VarRef("u", Scope.USER)
    assert scen.variable_scopes == {"g": Scope.GLOBAL, "u": Scope.USER}


def test_step_attributes_of_the_scenario_language(tmp_path):
    body = (
        SEND
        + '<recv response="180" optional="true" advance_state="false" rrs="1" auth="true"'
        + ' ignoresdp="true"/>\n'
        + '<recv request="^(MESSAGE|INFO)$" regexp_match="true" hiderest="true"/>\n'
        + '<recv response="^2" regexp_match="true" hide="false" condexec="c" condexec_inverse="true"/>\n'
        + '<pause variable="p" next="end" test="c"/>\n'
        + '<pause distribution="uniform" min="10" max="20"/>\n'
        + '<pause milliseconds="150.7"/>\n<pause/>\n'
        + '<label id="end"/>'
        + '<nop><action><assign assign_to="p" value="5"/><assign assign_to="c" value="1"/></action></nop>'
    )
    steps = load_file(write(tmp_path, body)).steps
    r180, request, response, var_pause, uniform, fixed, default, nop = steps[1:]
    assert (r180.rrs, r180.auth, r180.ignoresdp, r180.advance_state) == (True, True, True, False)
    assert request.request_re.matches("INFO") and not request.request_re.matches("INVITE") and request.hide
    assert response.response is None and response.response_re.matches("202") and response.label == "^2"
    assert response.methods_before == "OPTIONS" and not response.hide  # hide overrides hiderest
    assert response.condexec == VarRef("c", Scope.CALL) and response.condexec_inverse
    assert var_pause.pause_var == VarRef("p", Scope.CALL) and var_pause.test == VarRef("c", Scope.CALL)
    assert var_pause.pause_ms is None and var_pause.pause_dist is None and var_pause.hide
    assert isinstance(uniform.pause_dist, Uniform) and uniform.pause_ms is None
    assert fixed.pause_ms == 150 and default.pause_dist is None and default.pause_ms is None
    scen = load_file(write(tmp_path, body))
    # SIPp's scenario duration: 99th percentiles (uniform: min + max * 0.99), the -d pause apart
    assert scen.pause_total_ms == int(10 + 20 * 0.99) + 150 and scen.has_default_pause


def test_default_messages_are_compiled_without_counting_variables(tmp_path):
    body = (
        '<DefaultMessage id="bye"><![CDATA[\n  BYE [$v] SIP/2.0\n  Call-ID: [call_id]\n]]></DefaultMessage>'
        + SEND
    )
    message = load_file(write(tmp_path, body)).default_messages["bye"]
    assert isinstance(message, Template) and message.first_literal() == "BYE "


def test_a_scenario_using_every_action_loads(tmp_path):
    body = (
        SEND
        + """<recv response="200">
  <action>
    <ereg regexp="branch=([^;]*)" search_in="hdr" header="Via:" check_it="true" assign_to="b,b1"/>
    <ereg regexp="." search_in="body" check_it_inverse="true" assign_to="_"/>
    <ereg regexp="[0-9]+" search_in="var" variable="b" assign_to="digits"/>
    <log message="[$b] [$b1] [$digits]"/>
    <warning message="w"/>
    <error message="e"/>
    <exec command="true"/>
    <exec int_cmd="stop_call"/>
    <assign assign_to="n" value="1"/>
    <assignstr assign_to="s" value=" [$n] "/>
    <add assign_to="n" value="1"/>
    <subtract assign_to="n" value="1"/>
    <multiply assign_to="n" value="2"/>
    <divide assign_to="n" variable="n"/>
    <sample assign_to="r" distribution="normal" mean="10" stdev="1"/>
    <todouble assign_to="d" variable="s"/>
    <gettimeofday assign_to="sec,usec"/>
    <index assign_to="i"/>
    <trim assign_to="s"/>
    <urlencode variable="s"/>
    <urldecode variable="s"/>
    <test assign_to="t" variable="d" compare="less_than" variable2="r"/>
    <strcmp assign_to="c" variable="s" value="1"/>
    <verifyauth assign_to="ok" username="u" password="p"/>
    <setdest host="127.0.0.1" port="5060" protocol="udp"/>
    <closecon/>
    <pauserestore value="0"/>
    <jump value="2"/>
    <log message="[$r][$sec][$usec][$i][$t][$c][$ok]"/>
  </action>
</recv>
"""
    )
    actions = load_file(write(tmp_path, body)).steps[1].actions
    assert len(actions) == 29
    assert isinstance(actions[0], Ereg) and actions[0].targets == (
        VarRef("b", Scope.CALL),
        VarRef("b1", Scope.CALL),
    )
    assert isinstance(actions[27], Jump)
