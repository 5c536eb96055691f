"""`Config`: every SIPp command-line option, typed, with SIPp's real code defaults.

`sipperf.cli` fills it from argv; everything else only reads it. A field is named after its option
without the leading dash (`-rp` -> `rp`, `-T2` -> `T2`), except `-3pcc` -> `threepcc`, `-set` ->
`set_vars` and `-key` -> `keys`. Time options are stored as int milliseconds whatever unit the user
typed. `None` means "not given" where SIPp derives the value from something else later.
"""

from __future__ import annotations

from typing import NamedTuple

from sipperf.tdmmap import TdmMap

# The names `-default_behaviors` accepts besides `all` and `none`; `all` is all of them.
DEFAULT_BEHAVIORS: frozenset[str] = frozenset({"bye", "abortunexp", "pingreply", "cseq"})


class Config(NamedTuple):
    """One run's settings; immutable (a copy with changes: `_replace`). Time fields are int
    milliseconds (marked `ms` below). A named tuple: a dataclass of this size cost 5 ms of every
    run's start-up to create."""

    # Positional argument `remote_host[:remote_port]` (IPv6 without brackets).
    remote_host: str | None = None
    remote_port: int | None = None

    # Scenario files.
    sf: str | None = None
    sn: str | None = None  # neither -sf nor -sn: "uac"
    oocsf: str | None = None
    oocsn: str | None = None
    rxsf: str | None = None  # [3.7.5+]

    # IP, port and protocol.
    t: str = "u1"
    i: str | None = None  # local IP, brackets and :port removed; None = auto-detect
    p: int = 0  # 0 = first free of 5060..5119, then any
    bind_local: bool = False
    bind_to_device: str | None = None  # [3.7.3+]
    ci: str | None = None  # None = any address
    cp: int = 0  # 0 = first free of 8888..8947 (only a warning if none)
    max_socket: int = 50000
    max_reconnect: int = 0
    reconnect_close: bool = True
    reconnect_sleep: int = 1000  # ms
    rsa: str | None = None  # host[:port]
    tls_cert: str = "cacert.pem"
    tls_key: str = "cakey.pem"
    tls_ca: str = ""
    tls_crl: str = ""
    tls_version: float = 0.0  # 0 = negotiate
    multihome: str | None = None
    heartbeat: int = 0
    assocmaxret: int = 0
    pathmaxret: int = 0
    pmtu: int = 0
    gracefulclose: bool = True

    # Overall behaviour.
    bg: bool = False
    nostdin: bool = False
    plugin: str | None = None
    sleep: int = 0  # ms
    skip_rlimit: bool = False
    buff_size: int = 65535
    sendbuffer_warn: bool = False
    lost: float = 0.0
    keys: tuple[tuple[str, str], ...] = ()
    set_vars: tuple[tuple[str, str], ...] = ()
    tdmmap: TdmMap | None = None
    dynamicStart: int = 10000
    dynamicMax: int = 12000
    dynamicStep: int = 4

    # Call behaviour.
    aa: bool = False
    base_cseq: int = 1  # the value of the first [cseq]
    cid_str: str = "%u-%p@%s"
    d: int = 0  # ms
    deadcall_wait: int = 33000  # ms
    auth_uri: str | None = None
    au: str | None = None  # None = the value of -s
    ap: str = "password"
    s: str = "service"
    default_behaviors: frozenset[str] = DEFAULT_BEHAVIORS  # -nd empties it
    pause_msg_ign: bool = False
    callid_slash_ign: bool = False

    # Injection files.
    inf: tuple[str, ...] = ()
    rxinf: tuple[str, ...] = ()  # [3.7.5+]
    infindex: tuple[tuple[str, int], ...] = ()  # (file base name, field)
    ip_field: int = 0

    # RTP.
    mi: str | None = None  # None = the local IP
    rtp_echo: bool = False
    mb: int = 2048
    mp: int = 0  # 0 = first free of 6000, 6002, ... (100 tries)
    min_rtp_port: int = 6000  # [3.7+]
    max_rtp_port: int = 65535  # [3.7+]
    rtp_payload: int = 8
    rtp_threadtasks: int = 20
    rtp_buffsize: int = 65535
    rtpcheck_debug: bool = False  # [3.7+]
    srtpcheck_debug: bool = False  # [3.7+]
    audiotolerance: float = 1.0  # [3.7+]
    videotolerance: float = 1.0  # [3.7+]
    random_base_ssrc: bool = False  # [3.7.5+]

    # Call rate.
    r: float = 10.0  # calls per rate period
    rp: int = 1000  # ms
    rate_scale: float = 1.0
    rate_increase: int = 0
    rate_max: int = 0
    rate_interval: int | None = None  # ms; None = the value of -fd
    no_rate_quit: bool = False
    l: int | None = None  # noqa: E741 - SIPp's option name; None = computed from rate and duration
    m: int | None = None  # None = unlimited
    users: int | None = None

    # Retransmissions and timeouts.
    recv_timeout: int = 0  # ms
    send_timeout: int = 0  # ms
    timeout: int = 0  # ms (typed in seconds by default)
    timeout_error: bool = False
    max_retrans: int | None = None  # None = the two limits below apply
    max_invite_retrans: int = 5
    max_non_invite_retrans: int = 9
    nr: bool = False
    rtcheck: str = "full"  # "full" or "loose"
    T2: int = 4000  # ms

    # Third-party call control.
    threepcc: str | None = None  # host[:port]
    master: str | None = None
    slave: str | None = None
    slave_cfg: str | None = None

    # Performance and watchdog.
    timer_resol: int = 1  # ms
    max_recv_loops: int = 1000
    max_sched_loops: int = 1000
    watchdog_interval: int = 400  # ms
    watchdog_reset: int = 600000  # ms
    watchdog_minor_threshold: int = 500  # ms
    watchdog_major_threshold: int = 3000  # ms
    watchdog_major_maxtriggers: int = 10
    watchdog_minor_maxtriggers: int = 120

    # Tracing, logging and statistics.
    f: int = 1000  # ms (typed in seconds by default)
    trace_stat: bool = False
    stat_delimiter: str = ";"
    stf: str | None = None
    fd: int = 60000  # ms (typed in seconds by default)
    rfc3339: bool = False  # [3.7.5+]
    periodic_rtd: bool = False
    trace_msg: bool = False
    message_file: str | None = None
    message_overwrite: bool = True
    trace_shortmsg: bool = False
    shortmessage_file: str | None = None
    shortmessage_overwrite: bool = True
    trace_counts: bool = False
    trace_err: bool = False
    error_file: str | None = None
    error_overwrite: bool = True
    trace_error_codes: bool = False
    trace_calldebug: bool = False
    calldebug_file: str | None = None
    calldebug_overwrite: bool = True
    trace_screen: bool = False
    screen_file: str | None = None
    screen_overwrite: bool = True
    trace_rtt: bool = False
    rtt_freq: int = 200
    trace_logs: bool = False
    log_file: str | None = None
    log_overwrite: bool = True
    ringbuffer_files: int = 0
    ringbuffer_size: int = 0
    max_log_size: int = 0

    # sipperf only.
    workers: int = 1
