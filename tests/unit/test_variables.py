"""Variable values as SIPp 3.6.1 treats them, and the load-time registry of variable names."""

import math

import pytest

from sipperf.cnumbers import parse_bool, parse_double
from sipperf.errors import ScenarioError
from sipperf.scenario.variables import (
    Scope,
    VariableNames,
    VarRef,
    as_double,
    as_text,
    is_set,
    render,
    to_double,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3.000000"),  # C %lf
        (-0.1, "-0.100000"),
        (1795748719.0, "1795748719.000000"),
        (0.0, ""),  # a zero double is not "set": SIPp renders nothing (checked with sipp 3.6.1)
        (True, "true"),
        (False, "false"),
        ("abc", "abc"),
        ("", ""),
        (None, ""),
    ],
)
def test_render(value, text):
    assert render(value) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", True),
        ("x", True),
        (1.5, True),
        (0.0, False),
        (math.nan, True),
        (True, True),
        (False, False),
        (None, False),
    ],
)
def test_is_set(value, expected):
    assert is_set(value) is expected


def test_reading_as_double_and_as_text():
    assert as_double(2.5) == 2.5
    assert as_double("12") == 0.0 and as_double(True) == 0.0 and as_double(None) == 0.0
    assert as_text("abc") == "abc"
    assert as_text(2.5) == "" and as_text(True) == "" and as_text(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12.0),
        (" 12", 12.0),
        ("", 0.0),
        ("1e3", 1000.0),
        ("0x10", 16.0),
        (2.5, 2.5),
        (True, 1.0),
        (False, 0.0),
        ("12 ", None),
        ("12abc", None),
        ("abc", None),
        (None, None),
    ],
)
def test_to_double_is_strtod_of_the_whole_text(value, expected):
    assert to_double(value) == expected


def test_parse_double_special_forms():
    assert parse_double("-inf") == -math.inf
    assert math.isnan(parse_double("nan"))
    assert parse_double("0x1.8p1") == 3.0
    assert parse_double(".5") == 0.5 and parse_double("5.") == 5.0
    assert parse_double("0x") is None and parse_double(" ") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("0x0", False),
        ("0x10", True),
        ("-3", True),
        ("", False),
        ("07", True),
        ("yes", None),
        ("08", None),
        ("1 ", None),
    ],
)
def test_parse_bool_is_sipp_get_bool(text, expected):
    assert parse_bool(text) is expected


def test_uses_create_call_variables_numbered_as_sipp_ids():
    names = VariableNames("s.xml")
    first = names.use("n", 3)
    assert first == VarRef("n", Scope.CALL) and first.number == 1 and first.sipp_id == 258
    assert names.use("s", 4).sipp_id == 514
    assert names.use("n", 5).number == 1


def test_declared_variables_are_found_in_their_scope():
    names = VariableNames("s.xml")
    names.declare(Scope.GLOBAL, "g,h", 2)
    names.declare(Scope.USER, "u", 3)
    assert names.use("g", 5) == VarRef("g", Scope.GLOBAL) and names.use("g", 5).sipp_id == 1 << 8
    assert names.use("u", 6).scope is Scope.USER
    names.use("h", 7)
    names.use("u", 8)
    names.check()
    assert names.scopes() == {"g": Scope.GLOBAL, "h": Scope.GLOBAL, "u": Scope.USER}


def test_declarations_split_on_commas_without_trimming():
    names = VariableNames("s.xml")
    names.declare(Scope.GLOBAL, "a, b", 2)
    assert names.scopes() == {"a": Scope.GLOBAL, " b": Scope.GLOBAL}


def test_a_name_used_before_its_declaration_stays_a_call_variable():
    names = VariableNames("s.xml")
    names.use("x", 2)
    names.use("x", 3)
    names.declare(Scope.GLOBAL, "x", 4)
    assert names.use("x", 5).scope is Scope.CALL
    assert names.scopes() == {}
    with pytest.raises(ScenarioError, match=r"Variable \$x is referenced 1 times!"):
        names.check()  # the global one


def test_check_refuses_a_variable_referenced_once_except_underscore():
    names = VariableNames("s.xml")
    names.use("_", 3)
    names.use("b", 4)
    names.use("a", 5)
    with pytest.raises(ScenarioError) as caught:
        names.check()
    err = caught.value
    # SIPp's table is sorted: a before b; the line is the variable's first appearance
    assert err.message == "s.xml:5: Variable $a is referenced 1 times!" and err.code == 1


def test_check_order_is_call_then_user_then_global():
    names = VariableNames("s.xml")
    names.declare(Scope.GLOBAL, "a", 2)
    names.declare(Scope.USER, "z", 3)
    with pytest.raises(ScenarioError, match=r"\$z is referenced"):
        names.check()


def test_reference_counts_once_and_needs_an_existing_name():
    names = VariableNames("s.xml")
    with pytest.raises(ScenarioError, match="Could not reference non-existant variable 'x'"):
        names.reference("x", 2)
    names.use("x", 3)
    names.reference("x", 4)
    names.check()


def test_find_counts_only_existing_names():
    names = VariableNames("s.xml")
    assert names.find("_unexp.retaddr") is None
    names.use("_unexp.retaddr", 3)
    assert names.find("_unexp.retaddr") == VarRef("_unexp.retaddr", Scope.CALL)
    names.check()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Transaction names may not be empty for assign_to"),  # SIPp's (swapped) texts
        ("a$b", "Transaction names may not contain '$' or ',' for assign_to"),
        ("a,b", "Transaction names may not contain '$' or ',' for assign_to"),
    ],
)
def test_bad_names(name, message):
    with pytest.raises(ScenarioError) as caught:
        VariableNames("s.xml").use(name, 7, "assign_to")
    assert caught.value.message == f"s.xml:7: {message}"
