"""Hand-built `Scenario` objects of the built-in uac and uas scenarios (tests/golden/uac.xml, uas.xml),
so that statistics and output tests do not depend on the XML loader."""

from __future__ import annotations

from dataclasses import replace

from sipperf.scenario.model import Mode, Scenario, Step, StepKind

RTD_REPARTITION = (10, 20, 30, 40, 50, 100, 150, 200)
CALL_LENGTH_REPARTITION = (10, 50, 100, 500, 1000, 5000, 10000)


def send(label: str, **kw: object) -> Step:
    return Step(index=0, kind=StepKind.SEND, line=0, label=label, is_request=not label.isdigit(), **kw)


def recv(what: str | int, **kw: object) -> Step:
    if isinstance(what, int):
        return Step(index=0, kind=StepKind.RECV, line=0, response=what, label=str(what), **kw)
    return Step(index=0, kind=StepKind.RECV, line=0, request=what, label=what, **kw)


def pause(ms: int | None = None, **kw: object) -> Step:
    return Step(index=0, kind=StepKind.PAUSE, line=0, pause_ms=ms, **kw)


def nop(**kw: object) -> Step:
    return Step(index=0, kind=StepKind.NOP, line=0, **kw)


def scenario(name: str, mode: Mode, steps: list[Step], rtd_names: tuple[str, ...] = ("1",),
             counters: tuple[str, ...] = ()) -> Scenario:  # fmt: skip
    """A scenario with the built-in repartition tables applying to every RTD; steps are renumbered."""
    return Scenario(
        name=name,
        title=name,
        path=f"<builtin {name}>",
        steps=tuple(replace(step, index=i, line=i + 1) for i, step in enumerate(steps)),
        mode=mode,
        rtd_names=rtd_names,
        counters=counters,
        response_time_repartition=RTD_REPARTITION,
        call_length_repartition=CALL_LENGTH_REPARTITION,
        repartition_rtds=rtd_names,
    )


def uac() -> Scenario:
    return scenario("uac", Mode.CLIENT, [
        send("INVITE", is_invite=True, retrans=500),
        recv(100, optional=True),
        recv(180, optional=True),
        recv(183, optional=True),
        recv(200, rtd="1"),
        send("ACK"),
        pause(),
        send("BYE", retrans=500),
        recv(200, crlf=True),
    ])  # fmt: skip


def uas() -> Scenario:
    return scenario("uas", Mode.SERVER, [
        recv("INVITE", crlf=True),
        send("180"),
        send("200", retrans=500),
        recv("ACK", optional=True, rtd="1", crlf=True),
        recv("BYE"),
        send("200"),
        pause(4000, timewait=True),
    ])  # fmt: skip


# -- the golden runs (tests/golden/*_out.txt, *_stat.csv), replayed into a Stats ----------------
UAC_START_WALL = 1795737185.529000
UAS_START_WALL = 1795737185.226189


class Clock:
    """The engine's millisecond clock and the wall clock it corresponds to, moved by hand."""

    def __init__(self, start_wall: float) -> None:
        self.ms = 0.0
        self.start_wall = start_wall

    def now_ms(self) -> float:
        return self.ms

    def wall(self) -> float:
        return self.start_wall + self.ms / 1000


def golden_uac_calls(stats: object, clock: Clock) -> None:
    """The 5 calls of the golden uac run: one at a time, 0 ms response time, 7,7,7,7,12 ms long."""
    for i, length in enumerate((7, 7, 7, 7, 12)):
        clock.ms = 2.0 + 100 * i
        stats.call_created(incoming=False)
        for index in (0, 2, 4, 5, 6, 7, 8):  # INVITE, 180, 200, ACK, pause, BYE, 200
            stats.steps[index].msgs += 1
        stats.rtd("1", 0.4)
        clock.ms += length
        stats.call_ended(None, length + 0.3)


def golden_uas_calls(stats: object, clock: Clock) -> None:
    """The 5 calls of the golden uas run: all up at once, 0 ms ACK time, about 4013 ms long."""
    for i in range(5):
        clock.ms = 2.0 + 100 * i
        stats.call_created(incoming=True)
    for i, length in enumerate((4008, 4010, 4013, 4016, 4018)):
        clock.ms = 2.0 + 100 * i + length
        for index in range(7):
            stats.steps[index].msgs += 1
        stats.rtd("1", 0.2)
        stats.call_ended(None, length)
