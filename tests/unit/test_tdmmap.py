"""`-tdmmap` and `[tdmmap]`: SIPp 3.6.1's circuit table, its rendering and its quirks."""

from __future__ import annotations

import random

import pytest

from sipperf.cli import parse_args
from sipperf.errors import FatalError
from sipperf.scenario.template import Template
from sipperf.tdmmap import Circuits, TdmMap
from tests.unit.test_keywords_auth import FakeCall, context


def test_the_option_is_parsed_as_sipps_sscanf():
    assert TdmMap.parse("{0-3}{99}{5-8}{1-31}") == TdmMap(x=0, a=3, h=99, y=5, b=3, z=1, c=30)
    assert TdmMap.parse("{ 1-+2}{-3}{4-5}{6-7}trailing") == TdmMap(x=1, a=1, h=-3, y=4, b=1, z=6, c=1)
    assert parse_args(["-tdmmap", "{0-3}{99}{5-8}{1-31}"]).tdmmap == TdmMap(0, 3, 99, 5, 3, 1, 30)


@pytest.mark.parametrize("text", ["foo", "{1-2}{3}{4-5}", "{1-2}{3}{4-5}{6}", "{2-1}{3}{4-5}{6-7}"])
def test_a_bad_map_is_sipps_fatal_error(text):
    with pytest.raises(FatalError) as caught:
        parse_args(["-tdmmap", text])
    assert (caught.value.message, caught.value.code) == (
        "Parameter -tdmmap must be of form {%d-%d}{%d}{%d-%d}{%d-%d}", 1)  # fmt: skip


def test_the_option_is_refused_with_several_workers():
    with pytest.raises(FatalError) as caught:
        parse_args(["-tdmmap", "{0-0}{1}{0-0}{1-2}", "-workers", "2", "127.0.0.1"])
    assert caught.value.message == "option -tdmmap is not supported with -workers yet"


def test_circuits_render_x_h_y_z_from_their_1_based_number():
    three = TdmMap.parse("{0-0}{7}{0-0}{1-3}")
    assert [three.label(n) for n in (1, 2, 3)] == ["0.7.0/2", "0.7.0/3", "0.7.0/1"]  # as SIPp 3.6.1 sent
    tdm = TdmMap.parse("{0-3}{99}{5-8}{1-31}")
    assert tdm.size == 4 * 4 * 31
    assert [tdm.label(n) for n in (1, 31, 124, tdm.size)] == ["0.99.5/2", "0.99.6/1", "1.99.5/1", "0.99.5/1"]


def test_every_circuit_is_handed_out_once_then_none(monkeypatch):
    monkeypatch.setattr(random, "randrange", lambda n: 1)  # the search starts at slot 1 - 1 = 0
    circuits = Circuits(TdmMap.parse("{0-1}{7}{0-0}{1-3}"))
    assert [circuits.take() for _ in range(7)] == [1, 2, 3, 4, 5, 6, 0]


def test_a_search_from_slot_0_wraps_as_sipps_unsigned_arithmetic(monkeypatch):
    monkeypatch.setattr(random, "randrange", lambda n: 0)
    circuits = Circuits(TdmMap.parse("{0-1}{7}{0-0}{1-3}"))
    # (0 + i - 1) in unsigned int: (2**32 - 1) % 6 = 3 first, then 0, 1, 2, 3, 4: slot 5 is never seen
    assert [circuits.take() for _ in range(6)] == [4, 1, 2, 3, 5, 0]


def test_a_call_that_ends_frees_the_next_slot_as_sipp_does():
    circuits = Circuits(TdmMap.parse("{0-0}{7}{0-0}{3-3}"))  # one circuit
    assert circuits.take() == 1
    circuits.release(1)  # SIPp frees slot 1, not slot 0 of circuit 1: the circuit stays busy
    assert circuits.take() == 0


def test_the_keyword_renders_the_calls_circuit_and_needs_the_option():
    template = Template.compile("X-TDM: [tdmmap]\n", lambda keyword: True)
    call = FakeCall(tdm_circuit=2)
    ctx = context(tdmmap=TdmMap.parse("{0-0}{7}{0-0}{1-3}"))
    assert template.bind(ctx).render(call) == "X-TDM: 0.7.0/3\r\n"
    render = template.bind(context()).render
    with pytest.raises(FatalError) as caught:
        render(call)
    assert caught.value.message == "[tdmmap] keyword without -tdmmap parameter on command line"
