"""What the screens show besides the statistics: the run's settings and the engine's live state.

The engine fills a `RunInfo` at each refresh; the screen functions never look into the engine.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sipperf.scenario.model import Mode


class StatusLine(enum.Enum):
    """The last line of every screen (SIPp shows the first that applies, top to bottom)."""

    TERMINATED = "------------------------------ Test Terminated --------------------------------"
    QUITTING = "------- Waiting for active calls to end. Press [q] again to force exit. -------"
    PAUSED = "----------------- Traffic Paused - Press [p] again to resume ------------------"
    CPU_CONGESTED = "-------------------------------- CPU CONGESTED ---------------------------------"
    OUTBOUND_CONGESTION = "------------------------------ OUTBOUND CONGESTION -----------------------------"
    CLIENT = "------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----"
    SERVER = "------------------------------ SIPp Server Mode -------------------------------"
    THREEPCC_A = "----------------------- 3PCC Mode - Controller A side -------------------------"
    THREEPCC_B = "----------------------- 3PCC Mode - Controller B side -------------------------"
    THREEPCC_A_PASSIVE = "------------------ 3PCC Mode - Controller A side (passive) --------------------"
    MASTER = "-----------------------3PCC extended mode - Master side -------------------------"
    MASTER_PASSIVE = "------------------ 3PCC extended mode - Master side (passive) --------------------"
    SLAVE = "----------------------- 3PCC extended mode - Slave side -------------------------"


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Run settings and live engine state for the screens (counters come from the snapshots).

    Total calls, current calls, the peak, dead-call and out-of-call message counts are read from the
    statistics snapshot; whether the `-m` limit was hit is `snapshot.total_created >= max_calls`.
    """

    mode: Mode = Mode.CLIENT
    status: StatusLine = StatusLine.CLIENT
    rate: float = 10.0  # -r: calls per rate period
    rate_period_ms: int = 1000  # -rp
    users: int | None = None  # -users: user-based pacing (the header shows users instead of rate)
    duration_ms: int = 0  # -d: the length of a <pause/> without milliseconds
    local_port: int = 5060
    remote_ip: str = ""
    remote_port: int = 5060
    transport: str = "UDP"
    elapsed_ms: int = 0  # since the start of the run (Total-time)
    call_limit: int = 0  # -l: open calls allowed
    max_calls: int | None = None  # -m
    period_calls: int = 0  # calls created during the last screen period
    period_ms: int = 0  # length of the last screen period
    scheduler_ms: int = 0  # scheduler resolution: period_ms / event-loop iterations in the period
    running: int = 0
    paused: int = 0
    woken: int = 0  # calls woken up since the last screen
    open_sockets: int = 0
    send_errors: int = 0
    recv_errors: int = 0
    cong_errors: int = 0
    last_error: str = ""  # the last warning or error, without its timestamp ("" = none)
    overload: str = ""  # sipperf's own overload warning ("" = keeping up), see output/load_watch.py
    rtp_packets_sent: int = 0  # pcap play: packets sent so far
    rtp_bytes_period: int = 0  # pcap play: bytes sent during the last screen period
    lose_packets: bool = False  # -lost given (a `lost` attribute in the scenario has the same effect)
    show_index: bool = False  # `set index true`: step numbers before the message rows
    show_hidden: bool = False  # `set hide false`: show the steps with hide="true"
