"""The call flows of the built-in uac and uas, engine against engine in memory, with chosen losses.

Times are exact because the clock is driven by the test: SIPp's retransmission schedule, receive
timeouts and the abort procedure are asserted message by message.
"""

import pytest

from sipperf.engine.engine import EngineSettings
from sipperf.scenario.loader import load_builtin, load_file
from tests.unit.memory_net import MemoryNet

UAC, UAS = load_builtin("uac"), load_builtin("uas")
UAC_PORT, UAS_PORT = 5061, 5060


def pair(calls=5, rate=10.0, uac_settings=None, uas_settings=None, drop=None):
    net = MemoryNet()
    if drop is not None:
        net.drop = drop
    uas = net.add(UAS, UAS_PORT, None, uas_settings or EngineSettings(max_calls=calls))
    uac = net.add(UAC, UAC_PORT, UAS_PORT, uac_settings or EngineSettings(rate=rate, max_calls=calls))
    return net, uac, uas


def test_an_ended_call_is_not_kept_by_its_pending_timer_entries():
    """Wheel entries are not cancelled: the BYE's retransmission timer (T1 after it) is still
    pending when the call ends, but it no longer holds the call, which is freed at once."""
    net, uac, _ = pair(calls=3)
    assert net.run(20_000)
    assert not uac.calls
    pending = uac.timers.expire(net.clock.now + 10_000)
    assert pending
    assert all(entry.call is None for entry in pending)


def drop_first(matches):
    """A loss rule dropping only the first datagram for which `matches(datagram)` holds."""
    dropped = []

    def rule(d):
        if not dropped and matches(d):
            dropped.append(d)
            return True
        return False

    rule.dropped = dropped
    return rule


def is_bye_answer(d):
    return d.src[1] == UAS_PORT and d.msg.cseq[1] == "BYE"


def counts(engine, *names):
    snap = engine.stats.snapshot()
    return tuple(snap.counter(n) for n in names)


def test_calls_succeed_and_step_counters_agree_on_both_sides():
    net, uac, uas = pair(calls=5)
    assert net.run(20_000)
    assert counts(uac, "OutgoingCall", "SuccessfulCall", "FailedCall") == (5, 5, 0)
    assert counts(uas, "IncomingCall", "SuccessfulCall", "FailedCall") == (5, 5, 0)
    uac_msgs = [s.msgs for s in uac.stats.steps]
    uas_msgs = [s.msgs for s in uas.stats.steps]
    assert uac_msgs == [5, 0, 5, 0, 5, 5, 5, 5, 5]
    assert uas_msgs == [5, 5, 5, 5, 5, 5, 5]
    # calls are paced at rate 10: one every 100 ms
    invites = [at for at, line in net.lines(UAC_PORT) if line.startswith("INVITE")]
    assert invites == [100.0, 200.0, 300.0, 400.0, 500.0]


def test_unanswered_invite_is_retransmitted_at_sipp_times_then_fails():
    net, uac, _ = pair(calls=1, drop=lambda d: d.src[1] == UAC_PORT)
    assert net.run(40_000, [uac])
    sent = [(at - 100.0, line.split()[0]) for at, line in net.lines(UAC_PORT)]
    # sent at 0 then 0.5, 1.5, 3.5, 7.5, 15.5 s; nothing was received so no CANCEL
    assert sent == [(0.0, "INVITE"), (500.0, "INVITE"), (1500.0, "INVITE"), (3500.0, "INVITE"),
                    (7500.0, "INVITE"), (15500.0, "INVITE")]  # fmt: skip
    snap = uac.stats.snapshot()
    assert snap.counter("FailedCall") == 1 and snap.counter("FailedMaxUDPRetrans") == 1
    assert snap.counter("Retransmissions") == 5
    assert uac.stats.steps[0].retrans == 5 and uac.stats.steps[0].timeouts == 1
    assert net.clock.now >= 100 + 31_500


def test_lost_200_ok_is_retransmitted_and_the_call_succeeds():
    drop = drop_first(lambda d: d.src[1] == UAS_PORT and d.first_line == "SIP/2.0 200 OK")
    net, uac, uas = pair(calls=1, drop=drop)
    assert net.run(20_000)
    oks = [at for at, line in net.lines(UAS_PORT) if line == "SIP/2.0 200 OK"]
    assert oks[1] - oks[0] == 500.0  # T1 after the lost one
    assert counts(uac, "SuccessfulCall", "FailedCall") == (1, 0)
    assert counts(uas, "SuccessfulCall", "FailedCall", "Retransmissions") == (1, 0, 1)
    assert uas.stats.steps[2].retrans == 1


def test_lost_ack_is_answered_from_the_retransmitted_200():
    """The UAS re-sends its 200 when no ACK comes; the UAC recognises the retransmission and
    re-sends its ACK (SIPp's H_rt detection) instead of treating it as unexpected."""
    settings = EngineSettings(rate=10, max_calls=1, default_pause_ms=2000)
    drop = drop_first(lambda d: d.first_line.startswith("ACK"))
    net, uac, uas = pair(calls=1, uac_settings=settings, drop=drop)
    assert net.run(20_000)
    acks = [at for at, line in net.lines(UAC_PORT) if line.startswith("ACK")]
    assert len(acks) == 2 and acks[1] - acks[0] == 500.0
    assert counts(uac, "SuccessfulCall", "FailedCall") == (1, 0)
    assert counts(uas, "SuccessfulCall", "FailedCall") == (1, 0)
    assert uac.stats.steps[5].retrans == 1  # the ACK step
    assert uac.stats.steps[4].retrans == 1  # the 200 it answered


def test_lost_bye_answer_is_resent_from_timewait():
    net, uac, uas = pair(calls=1, drop=drop_first(is_bye_answer))
    assert net.run(20_000)
    byes = [at for at, line in net.lines(UAC_PORT) if line.startswith("BYE")]
    assert len(byes) == 2 and byes[1] - byes[0] == 500.0
    assert counts(uac, "SuccessfulCall", "FailedCall") == (1, 0)
    assert counts(uas, "SuccessfulCall", "FailedCall") == (1, 0)
    assert uas.stats.steps[5].retrans == 1 and uas.stats.steps[4].retrans == 1


def test_receive_timeout_aborts_with_cancel_after_a_provisional():
    """The UAS's 200 never arrives: -recv_timeout fails the call and the abort procedure cancels."""
    settings = EngineSettings(rate=10, max_calls=1, recv_timeout_ms=2000)
    net, uac, _ = pair(
        calls=1,
        uac_settings=settings,
        drop=lambda d: d.src[1] == UAS_PORT and d.first_line == "SIP/2.0 200 OK",
    )
    assert net.run(5000, [uac])
    sent = [line.split()[0] for _, line in net.lines(UAC_PORT)]
    assert sent[-1] == "CANCEL"
    assert counts(uac, "FailedCall", "FailedTimeoutOnRecv") == (1, 1)


def test_unexpected_final_response_is_acked_and_fails_the_call(tmp_path):
    busy = tmp_path / "busy.xml"
    busy.write_text(
        '<scenario name="busy"><recv request="INVITE"/>'
        "<send><![CDATA[\nSIP/2.0 486 Busy Here\n[last_Via:]\n[last_From:]\n[last_To:];tag=x\n"
        "[last_Call-ID:]\n[last_CSeq:]\nContent-Length: 0\n]]></send>"
        '<recv request="ACK"/></scenario>'
    )
    net = MemoryNet()
    uas = net.add(load_file(str(busy)), UAS_PORT, None, EngineSettings(max_calls=1))
    uac = net.add(UAC, UAC_PORT, UAS_PORT, EngineSettings(rate=10, max_calls=1))
    assert net.run(5000)
    ack = [d.msg for d in net.wire if d.src[1] == UAC_PORT][-1]
    assert ack.method == "ACK" and ack.cseq == (1, "ACK") and ack.to_tag == "x"
    assert counts(uac, "FailedCall", "FailedUnexpectedMessage") == (1, 1)
    assert uac.stats.steps[1].unexp == 1  # SIPp: "while expecting '100' (index 1)"
    assert counts(uas, "SuccessfulCall") == (1,)


def test_graceful_quit_finishes_running_calls_and_places_no_new_ones():
    settings = EngineSettings(rate=10, default_pause_ms=3000)
    net, uac, uas = pair(calls=None, uac_settings=settings, uas_settings=EngineSettings())
    net.run(350, [uac])
    uac.quit(graceful=True)
    assert net.run(20_000, [uac])
    created, ok, failed = counts(uac, "OutgoingCall", "SuccessfulCall", "FailedCall")
    assert created == 3 and ok == 3 and failed == 0
    assert len([1 for _, line in net.lines(UAC_PORT) if line.startswith("INVITE")]) == 3


def test_late_retransmission_of_a_finished_call_is_absorbed_as_dead_call():
    net, uac, uas = pair(calls=1)
    assert net.run(20_000)
    invite = next(d for d in net.wire if d.first_line.startswith("INVITE"))
    uas.on_datagram(invite.data, invite.src)
    assert counts(uas, "DeadCallMsgs", "IncomingCall") == (1, 1)


def test_a_response_time_counts_once_per_start(tmp_path):
    timed = tmp_path / "timed.xml"
    timed.write_text(
        '<scenario name="timed"><send><![CDATA[\nOPTIONS sip:x@[remote_ip] SIP/2.0\n'
        "Call-ID: [call_id]\nCSeq: 1 OPTIONS\nContent-Length: 0\n]]></send>"
        '<nop start_rtd="a"/><nop rtd="a"/><nop rtd="a"/><nop start_rtd="a"/><nop rtd="a"/></scenario>'
    )
    net = MemoryNet()
    uac = net.add(load_file(str(timed)), UAC_PORT, UAS_PORT, EngineSettings(rate=10, max_calls=1))
    assert net.run(1000)
    assert uac.stats.snapshot().rtd("a").count == 2  # not at the second stop; again after a start


def test_calls_from_one_peer_share_its_address():
    net, _, _ = pair(calls=2)
    assert net.run(20_000)
    invites = [d.data for d in net.wire if d.first_line.startswith("INVITE")]
    _, _, uas = pair(calls=2)
    for data in invites:  # each with its own address tuple, as received from a socket
        uas.on_datagram(data, tuple(["127.0.0.1", UAC_PORT]))
    first, second = uas.calls.values()
    assert first.peer is second.peer and first.peer == ("127.0.0.1", UAC_PORT)


def test_forced_quit_aborts_calls_counts_them_failed_and_sends_bye():
    settings = EngineSettings(rate=10, default_pause_ms=10_000)
    net, uac, uas = pair(calls=None, uac_settings=settings, uas_settings=EngineSettings())
    net.run(250, [uac])
    uac.quit(graceful=False)
    assert net.run(1000, [uac])
    assert counts(uac, "OutgoingCall", "FailedCall") == (2, 2)
    assert [line.split()[0] for _, line in net.lines(UAC_PORT)][-2:] == ["BYE", "BYE"]


@pytest.mark.parametrize(("loose", "uas_ok"), [(True, 1), (False, 0)])
def test_rtcheck_loose_recognises_a_resent_bye_whose_bytes_differ(loose, uas_ok):
    """The UAC re-sends its BYE with another branch: -rtcheck loose still sees the same BYE and
    re-sends the 200; the default (full) sees an unexpected BYE in timewait and fails the call."""
    drop = drop_first(is_bye_answer)

    def new_branch_on_resent_bye(d):
        resent = d.first_line.startswith("BYE") and drop.dropped
        return d.data.replace(b"branch=z9hG4bK-4242-1-7", b"branch=z9hG4bK-again") if resent else d.data

    settings = EngineSettings(max_calls=1, loose_rtcheck=loose)
    net, uac, uas = pair(calls=1, drop=drop, uas_settings=settings)
    net.rewrite = new_branch_on_resent_bye
    assert net.run(20_000)
    assert counts(uas, "SuccessfulCall") == (uas_ok,)
    assert counts(uac, "SuccessfulCall") == (1,)
    assert uas.stats.steps[5].retrans == uas_ok


def test_malformed_messages_are_counted_and_the_run_goes_on():
    net, uac, uas = pair(calls=2)
    for junk in (b"hello", b"SIP/2.0 abc\r\n\r\n", b"OPTIONS sip:a SIP/2.0\r\nTo: x\r\n\r\n", b"\r\n\r\n"):
        uas.on_datagram(junk, ("127.0.0.1", 9))
    assert counts(uas, "Warnings") == (3,)  # the keep-alive is silently ignored
    assert "without Call-ID" in uas.last_error
    assert net.run(20_000)
    assert counts(uac, "SuccessfulCall") == (2,) and counts(uas, "SuccessfulCall") == (2,)


def test_users_keys_add_and_remove_users() -> None:
    """-users: `+`/`-` change the number of users; new ids come first, removed ones are not reused."""
    net = MemoryNet()
    uac = net.add(load_builtin("uac"), 5061, 5060, EngineSettings(users=3))
    assert list(uac.free_users) == [1, 2, 3] and uac.current_rate() == 3
    uac.set_rate(5)
    assert list(uac.free_users) == [4, 5, 1, 2, 3] and uac.current_rate() == 5
    uac.set_rate(2)
    assert list(uac.free_users) == [1, 2] and uac.current_rate() == 2


def test_a_zero_pause_ends_at_the_next_timer_pass_as_sipp():
    """SIPp's uac sends its BYE after `<pause/>` (-d 0) at the next timer pass, not with the ACK."""
    net, _, _ = pair(calls=1)
    assert net.run(20_000)
    sent = {line.split()[0]: at for at, line in net.lines(UAC_PORT)}
    assert sent["BYE"] == sent["ACK"] + 1.0
