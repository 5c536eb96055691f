"""The SIPp-compatible command line: the option table, argv -> `Config`, and the help and version texts.

One declarative table (`OPTIONS`) drives both the parser and the help. Parsing follows SIPp 3.6.1:
`-opt` or `--opt`, case-sensitive names, C-style values (`strtol` base 0, `strtod`, times with an
optional `ms`/`s`/`m`/`h` suffix), the last non-option argument is the remote host, and every error
is a SIPp fatal error (exit 1). Options recognised but not implemented yet are refused, never ignored.
`main()` is the `sipperf` entry point.
"""

from __future__ import annotations

import enum
import math
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from sipperf import SIPP_VERSION, __version__
from sipperf.cnumbers import strtod, strtol
from sipperf.config import DEFAULT_BEHAVIORS, Config
from sipperf.errors import EXIT_FAILED_CALLS, EXIT_NO_CALLS, FatalError, report_fatal
from sipperf.scenario import builtin
from sipperf.scenario.injection import base_name
from sipperf.tdmmap import TdmMap

HINT = "Use 'sipp -h' for details"

# Every name `-sd`, `-sn` and `-oocsn` accept (SIPp's embedded scenarios).
TRANSPORTS = ("u1", "un", "ui", "t1", "tn", "l1", "ln", "s1", "sn", "c1", "cn")


class Kind(enum.Enum):
    """How an option's arguments are read; the value is the number of arguments it takes."""

    HELP = ("help", 0)
    VERSION = ("version", 0)
    DUMP = ("dump", 1)  # -sd: print an embedded scenario
    FLAG = ("flag", 0)
    NO_DEFAULTS = ("no defaults", 0)  # -nd
    BOOL = ("bool", 1)
    INT = ("int", 1)
    FLOAT = ("float", 1)
    STR = ("str", 1)
    IP = ("ip", 1)  # address, brackets and :port removed
    TIME_MS = ("time (ms)", 1)
    TIME_S = ("time (s)", 1)
    BUILTIN = ("builtin scenario", 1)
    TRANSPORT = ("transport", 1)
    BEHAVIORS = ("default behaviors", 1)
    RTCHECK = ("rtcheck", 1)
    INFILE = ("repeated file", 1)
    PAIR = ("name value", 2)
    INFINDEX = ("file field", 2)
    WORKERS = ("workers", 1)
    TDMMAP = ("tdm map", 1)

    @property
    def arity(self) -> int:
        return self.value[1]


_ACTIONS = frozenset({Kind.HELP, Kind.VERSION, Kind.DUMP})
_DEST_EXCEPTIONS = {"3pcc": "threepcc", "set": "set_vars", "key": "keys", "nd": "default_behaviors"}
_DEFAULTS: dict[str, Any] = Config._field_defaults


@dataclass(frozen=True, slots=True)
class Option:
    """One row of the option table. `help=None` hides the option from the help text."""

    name: str
    kind: Kind
    group: str
    help: str | None

    @property
    def dest(self) -> str | None:
        """The `Config` field this option sets (None for -h, -v, -sd)."""
        if self.kind in _ACTIONS:
            return None
        return _DEST_EXCEPTIONS.get(self.name, self.name)

    @property
    def default(self) -> Any:
        return _DEFAULTS[self.dest] if self.dest else None


SCENARIO = "Scenario file options"
NETWORK = "IP, port and protocol options"
OVERALL = "SIPp overall behavior options"
CALL = "Call behavior options"
INJECTION = "Injection file options"
RTP = "RTP behaviour options"
RATE = "Call rate options"
RETRANS = "Retransmission and timeout options"
THREEPCC = "Third-party call control options"
PERF = "Performance and watchdog options"
TRACE = "Tracing, logging and statistics options"
SIPPERF = "sipperf options"

_K = Kind
OPTIONS: tuple[Option, ...] = (
    Option("h", _K.HELP, SCENARIO, None),
    Option("help", _K.HELP, SCENARIO, None),
    Option("sd", _K.DUMP, SCENARIO, "Dumps a default scenario (embedded in the SIPp executable)"),
    Option("sf", _K.STR, SCENARIO,
           "Loads an alternate XML scenario file.  To learn more about XML scenario syntax, use the -sd "
           "option to dump embedded scenarios. They contain all the necessary help."),
    Option("oocsf", _K.STR, SCENARIO, "Load out-of-call scenario."),
    Option("oocsn", _K.BUILTIN, SCENARIO, "Load out-of-call scenario."),
    Option("sn", _K.BUILTIN, SCENARIO,
           "Use a default scenario (embedded in the SIPp executable). If this option is omitted, the "
           "Standard SipStone UAC scenario is loaded.\n"
           "Available values in this version:\n\n"
           "- 'uac'      : Standard SipStone UAC (default).\n"
           "- 'uas'      : Simple UAS responder.\n"
           "- 'regexp'   : Standard SipStone UAC - with regexp and variables.\n"
           "- 'branchc'  : Branching and conditional branching in scenarios - client.\n"
           "- 'branchs'  : Branching and conditional branching in scenarios - server.\n\n"
           "Default 3pcc scenarios (see -3pcc option):\n\n"
           "- '3pcc-C-A' : Controller A side (must be started after all other 3pcc scenarios)\n"
           "- '3pcc-C-B' : Controller B side.\n"
           "- '3pcc-A'   : A side.\n"
           "- '3pcc-B'   : B side.\n"),
    Option("rxsf", _K.STR, SCENARIO,
           "Loads a server-mode XML scenario file that answers incoming calls while the main scenario "
           "places calls (mixed mode)."),
    Option("t", _K.TRANSPORT, NETWORK,
           "Set the transport mode:\n"
           "- u1: UDP with one socket (default),\n"
           "- un: UDP with one socket per call,\n"
           "- ui: UDP with one socket per IP address. The IP addresses must be defined in the injection "
           "file.\n"
           "- t1: TCP with one socket,\n"
           "- tn: TCP with one socket per call,\n"
           "- l1: TLS with one socket,\n"
           "- ln: TLS with one socket per call,\n"
           "- s1: SCTP with one socket,\n"
           "- sn: SCTP with one socket per call,\n"
           "- c1: u1 + compression (only if compression plugin loaded),\n"
           "- cn: un + compression (only if compression plugin loaded).  This plugin is not provided "
           "with SIPp.\n"),
    Option("i", _K.IP, NETWORK,
           "Set the local IP address for 'Contact:','Via:', and 'From:' headers. Default is primary host "
           "IP address.\n"),
    Option("p", _K.INT, NETWORK,
           "Set the local port number.  Default is the first free port from 5060 to 5119, else a free "
           "port chosen by the system."),
    Option("bind_local", _K.FLAG, NETWORK,
           "Bind socket to local IP address, i.e. the local IP address is used as the source IP address. "
           " If SIPp runs in server mode it will only listen on the local IP address instead of all IP "
           "addresses."),
    Option("bind_to_device", _K.STR, NETWORK,
           "Bind the main socket to this network device (SO_BINDTODEVICE, needs root)."),
    Option("ci", _K.IP, NETWORK, "Set the local control IP address"),
    Option("cp", _K.INT, NETWORK, "Set the local control port number. Default is 8888."),
    Option("max_socket", _K.INT, NETWORK,
           "Set the max number of sockets to open simultaneously. This option is significant if you use "
           "one socket per call. Once this limit is reached, traffic is distributed over the sockets "
           "already opened. Default value is 50000"),
    Option("max_reconnect", _K.INT, NETWORK, "Set the the maximum number of reconnection."),
    Option("reconnect_close", _K.BOOL, NETWORK, "Should calls be closed on reconnect?"),
    Option("reconnect_sleep", _K.TIME_MS, NETWORK,
           "How long (in milliseconds) to sleep between the close and reconnect?"),
    Option("rsa", _K.STR, NETWORK,
           "Set the remote sending address to host:port for sending the messages."),
    Option("tls_cert", _K.STR, NETWORK, "Set the name for TLS Certificate file. Default is 'cacert.pem'"),
    Option("tls_key", _K.STR, NETWORK, "Set the name for TLS Private Key file. Default is 'cakey.pem'"),
    Option("tls_ca", _K.STR, NETWORK,
           "Set the name for TLS CA file. If not specified, X509 verification is not activated."),
    Option("tls_crl", _K.STR, NETWORK,
           "Set the name for Certificate Revocation List file. If not specified, X509 CRL is not "
           "activated."),
    Option("tls_version", _K.FLOAT, NETWORK,
           "Set the TLS protocol version to use (1.0, 1.1, 1.2, 1.3) -- default is autonegotiate"),
    Option("multihome", _K.IP, NETWORK, "Set multihome address for SCTP"),
    Option("heartbeat", _K.INT, NETWORK, "Set heartbeat interval in ms for SCTP"),
    Option("assocmaxret", _K.INT, NETWORK, "Set association max retransmit counter for SCTP"),
    Option("pathmaxret", _K.INT, NETWORK, "Set path max retransmit counter for SCTP"),
    Option("pmtu", _K.INT, NETWORK, "Set path MTU for SCTP"),
    Option("gracefulclose", _K.BOOL, NETWORK,
           "If true, SCTP association will be closed with SHUTDOWN (default).\n If false, SCTP "
           "association will be closed by ABORT.\n"),
    Option("v", _K.VERSION, OVERALL, "Display version and copyright information."),
    Option("bg", _K.FLAG, OVERALL, "Launch SIPp in background mode."),
    Option("nostdin", _K.FLAG, OVERALL, "Disable stdin.\n"),
    Option("plugin", _K.STR, OVERALL, "Load a plugin."),
    Option("sleep", _K.TIME_S, OVERALL, "How long to sleep for at startup. Default unit is seconds."),
    Option("skip_rlimit", _K.FLAG, OVERALL,
           "Do not perform rlimit tuning of file descriptor limits.  Default: false."),
    Option("buff_size", _K.INT, OVERALL, "Set the send and receive buffer size."),
    Option("sendbuffer_warn", _K.BOOL, OVERALL,
           "If true, failing to send a message that is not part of the scenario (automatic BYE, CANCEL, "
           "ACK or 200 OK) is a fatal error; if false (default) it is a warning."),
    Option("lost", _K.FLOAT, OVERALL,
           "Set the number of packets to lose by default (scenario specifications override this value)."),
    Option("key", _K.PAIR, OVERALL,
           'keyword value\nSet the generic parameter named "keyword" to "value".'),
    Option("set", _K.PAIR, OVERALL,
           'variable value\nSet the global variable parameter named "variable" to "value".'),
    Option("tdmmap", _K.TDMMAP, OVERALL,
           "Generate and handle a table of TDM circuits.\n"
           "A circuit must be available for the call to be placed.\n"
           "Format: -tdmmap {0-3}{99}{5-8}{1-31}"),
    Option("dynamicStart", _K.INT, OVERALL,
           "variable value\nSet the start offset of dynamic_id variable"),
    Option("dynamicMax", _K.INT, OVERALL, "variable value\nSet the maximum of dynamic_id variable     "),
    Option("dynamicStep", _K.INT, OVERALL, "variable value\nSet the increment of dynamic_id variable"),
    Option("aa", _K.FLAG, CALL,
           "Enable automatic 200 OK answer for INFO, NOTIFY, OPTIONS and UPDATE."),
    Option("base_cseq", _K.INT, CALL, "Start value of [cseq] for each call."),
    Option("cid_str", _K.STR, CALL,
           "Call ID string (default %u-%p@%s).  %u=call_number, %s=ip_address, %p=process_number, %%=% "
           "(in any order)."),
    Option("d", _K.TIME_MS, CALL,
           "Controls the length of calls. More precisely, this controls the duration of 'pause' "
           "instructions in the scenario, if they do not have a 'milliseconds' section. Default value is "
           "0 and default unit is milliseconds."),
    Option("deadcall_wait", _K.TIME_MS, CALL,
           "How long the Call-ID and final status of calls should be kept to improve message and error "
           "logs (default unit is ms)."),
    Option("auth_uri", _K.STR, CALL,
           "Force the value of the URI for authentication.\n"
           "By default, the URI is composed of remote_ip:remote_port."),
    Option("au", _K.STR, CALL,
           "Set authorization username for authentication challenges. Default is taken from -s argument"),
    Option("ap", _K.STR, CALL,
           "Set the password for authentication challenges. Default is 'password'"),
    Option("s", _K.STR, CALL, "Set the username part of the request URI. Default is 'service'."),
    Option("default_behaviors", _K.BEHAVIORS, CALL,
           "Set the default behaviors that SIPp will use.  Possible values are:\n"
           "- all\tUse all default behaviors\n"
           "- none\tUse no default behaviors\n"
           "- bye\tSend byes for aborted calls\n"
           "- abortunexp\tAbort calls on unexpected messages\n"
           "- pingreply\tReply to ping requests\n"
           "- cseq\tCheck CSeq of ACKs\n"
           "If a behavior is prefaced with a -, then it is turned off.  Example: all,-bye\n"),
    Option("nd", _K.NO_DEFAULTS, CALL,
           "No Default. Disable all default behavior of SIPp which are the following:\n"
           "- On UDP retransmission timeout, abort the call by sending a BYE or a CANCEL\n"
           "- On receive timeout with no ontimeout attribute, abort the call by sending a BYE or a "
           "CANCEL\n"
           "- On unexpected BYE send a 200 OK and close the call\n"
           "- On unexpected CANCEL send a 200 OK and close the call\n"
           "- On unexpected PING send a 200 OK and continue the call\n"
           "- On unexpected ACK CSeq do nothing\n"
           "- On any other unexpected message, abort the call by sending a BYE or a CANCEL\n"),
    Option("pause_msg_ign", _K.FLAG, CALL,
           "Ignore the messages received during a pause defined in the scenario "),
    Option("callid_slash_ign", _K.FLAG, CALL,
           "Don't treat a triple-slash in Call-IDs as indicating an extra SIPp prefix."),
    Option("inf", _K.INFILE, INJECTION,
           "Inject values from an external CSV file during calls into the scenarios.\n"
           "First line of this file say whether the data is to be read in sequence (SEQUENTIAL), random "
           "(RANDOM), or user (USER) order.\n"
           "Each line corresponds to one call and has one or more ';' delimited data fields. Those fields "
           "can be referred as [field0], [field1], ... in the xml scenario file.  Several CSV files can be "
           "used simultaneously (syntax: -inf f1.csv -inf f2.csv ...)"),
    Option("rxinf", _K.INFILE, INJECTION,
           "Inject values from an external CSV file into the -rxsf scenario (same format as -inf)."),
    Option("infindex", _K.INFINDEX, INJECTION,
           "file field\nCreate an index of file using field.  For example -inf ../path/to/users.csv "
           "-infindex users.csv 0 creates an index on the first key."),
    Option("ip_field", _K.INT, INJECTION,
           "Set which field from the injection file contains the IP address from which the client will "
           "send its messages.\n"
           "If this option is omitted and the '-t ui' option is present, then field 0 is assumed.\n"
           "Use this option together with '-t ui'"),
    Option("mi", _K.IP, RTP,
           "Set the local media IP address (default: local primary host IP address)"),
    Option("rtp_echo", _K.FLAG, RTP,
           "Enable RTP echo. RTP/UDP packets received on port defined by -mp are echoed to their sender.\n"
           "RTP/UDP packets coming on this port + 2 are also echoed to their sender (used for sound and "
           "video echo)."),
    Option("mb", _K.INT, RTP, "Set the RTP echo buffer size (default: 2048)."),
    Option("mp", _K.INT, RTP, "Set the local RTP echo port number. Default is 6000."),
    Option("min_rtp_port", _K.INT, RTP, "Minimum port number for RTP socket range."),
    Option("max_rtp_port", _K.INT, RTP, "Maximum port number for RTP socket range."),
    Option("rtp_payload", _K.INT, RTP, "RTP default payload type."),
    Option("rtp_threadtasks", _K.INT, RTP, "RTP number of playback tasks per thread."),
    Option("rtp_buffsize", _K.INT, RTP, "Set the rtp socket send/receive buffer size."),
    Option("rtpcheck_debug", _K.FLAG, RTP, "Write RTP check debug information to file"),
    Option("srtpcheck_debug", _K.FLAG, RTP, "Write SRTP check debug information to file"),
    Option("audiotolerance", _K.FLOAT, RTP,
           "Audio error tolerance for RTP checks (0.0-1.0) -- default: 1.0"),
    Option("videotolerance", _K.FLOAT, RTP,
           "Video error tolerance for RTP checks (0.0-1.0) -- default: 1.0"),
    Option("random_base_ssrc", _K.FLAG, RTP,
           "Use a random base SSRC for RTP streams instead of 0xCA110000."),
    Option("r", _K.FLOAT, RATE,
           "Set the call rate (in calls per seconds).  This value can bechanged during test by pressing "
           "'+', '_', '*' or '/'. Default is 10.\n"
           "pressing '+' key to increase call rate by 1 * rate_scale,\n"
           "pressing '-' key to decrease call rate by 1 * rate_scale,\n"
           "pressing '*' key to increase call rate by 10 * rate_scale,\n"
           "pressing '/' key to decrease call rate by 10 * rate_scale.\n"),
    Option("rp", _K.TIME_MS, RATE,
           "Specify the rate period for the call rate.  Default is 1 second and default unit is "
           "milliseconds.  This allows you to have n calls every m milliseconds (by using -r n -rp m).\n"
           "Example: -r 7 -rp 2000 ==> 7 calls every 2 seconds.\n"
           "         -r 10 -rp 5s => 10 calls every 5 seconds."),
    Option("rate_scale", _K.FLOAT, RATE, "Control the units for the '+', '-', '*', and '/' keys."),
    Option("rate_increase", _K.INT, RATE,
           "Specify the rate increase every -rate_interval units (default is seconds).  This allows you "
           "to increase the load for each independent logging period.\n"
           "Example: -rate_increase 10 -rate_interval 10s\n"
           "  ==> increase calls by 10 every 10 seconds."),
    Option("rate_max", _K.INT, RATE,
           "If -rate_increase is set, then quit after the rate reaches this value.\n"
           "Example: -rate_increase 10 -rate_max 100\n"
           "  ==> increase calls by 10 until 100 cps is hit."),
    Option("rate_interval", _K.TIME_S, RATE,
           "Set the interval by which the call rate is increased. Defaults to the value of -fd."),
    Option("no_rate_quit", _K.FLAG, RATE,
           "If -rate_increase is set, do not quit after the rate reaches -rate_max."),
    Option("l", _K.INT, RATE,
           "Set the maximum number of simultaneous calls. Once this limit is reached, traffic is "
           "decreased until the number of open calls goes down. Default:\n"
           "  (3 * call_duration (s) * rate)."),
    Option("m", _K.INT, RATE, "Stop the test and exit when 'calls' calls are processed"),
    Option("users", _K.INT, RATE,
           "Instead of starting calls at a fixed rate, begin 'users' calls at startup, and keep the number "
           "of calls constant."),
    Option("recv_timeout", _K.TIME_MS, RETRANS,
           "Global receive timeout. Default unit is milliseconds. If the expected message is not "
           "received, the call times out and is aborted."),
    Option("send_timeout", _K.TIME_MS, RETRANS,
           "Global send timeout. Default unit is milliseconds. If a message is not sent (due to "
           "congestion), the call times out and is aborted."),
    Option("timeout", _K.TIME_S, RETRANS,
           "Global timeout. Default unit is seconds.  If this option is set, SIPp quits after nb units "
           "(-timeout 20s quits after 20 seconds)."),
    Option("timeout_error", _K.FLAG, RETRANS,
           "SIPp fails if the global timeout is reached is set (-timeout option required)."),
    Option("max_retrans", _K.INT, RETRANS,
           "Maximum number of UDP retransmissions before call ends on timeout.  Default is 5 for INVITE "
           "transactions and 9 for others."),
    Option("max_invite_retrans", _K.INT, RETRANS,
           "Maximum number of UDP retransmissions for invite transactions before call ends on timeout."),
    Option("max_non_invite_retrans", _K.INT, RETRANS,
           "Maximum number of UDP retransmissions for non-invite transactions before call ends on "
           "timeout."),
    Option("nr", _K.FLAG, RETRANS, "Disable retransmission in UDP mode."),
    Option("rtcheck", _K.RTCHECK, RETRANS,
           "Select the retransmission detection method: full (default) or loose."),
    Option("T2", _K.TIME_MS, RETRANS, "Global T2-timer in milli seconds"),
    Option("3pcc", _K.STR, THREEPCC,
           'Launch the tool in 3pcc mode ("Third Party call control"). The passed IP address depends on '
           "the 3PCC role.\n"
           "- When the first twin command is 'sendCmd' then this is the address of the remote twin "
           "socket.  SIPp will try to connect to this address:port to send the twin command (This "
           "instance must be started after all other 3PCC scenarios).\n"
           "    Example: 3PCC-C-A scenario.\n"
           "- When the first twin command is 'recvCmd' then this is the address of the local twin socket. "
           "SIPp will open this address:port to listen for twin command.\n"
           "    Example: 3PCC-C-B scenario."),
    Option("master", _K.STR, THREEPCC, "3pcc extended mode: indicates the master number"),
    Option("slave", _K.STR, THREEPCC, "3pcc extended mode: indicates the slave number"),
    Option("slave_cfg", _K.STR, THREEPCC,
           "3pcc extended mode: indicates the file where the master and slave addresses are stored"),
    Option("timer_resol", _K.TIME_MS, PERF,
           "Set the timer resolution. Default unit is milliseconds.  This option has an impact on timers "
           "precision.Small values allow more precise scheduling but impacts CPU usage.If the compression "
           "is on, the value is set to 50ms. The default value is 1ms."),
    Option("max_recv_loops", _K.INT, PERF,
           "Set the maximum number of messages received read per cycle. Increase this value for high "
           "traffic level.  The default value is 1000."),
    Option("max_sched_loops", _K.INT, PERF,
           "Set the maximum number of calls run per event loop. Increase this value for high traffic "
           "level.  The default value is 1000."),
    Option("watchdog_interval", _K.TIME_MS, PERF,
           "Set gap between watchdog timer firings.  Default is 400."),
    Option("watchdog_reset", _K.TIME_MS, PERF,
           "If the watchdog timer has not fired in more than this time period, then reset the max "
           "triggers counters.  Default is 10 minutes."),
    Option("watchdog_minor_threshold", _K.TIME_MS, PERF,
           "If it has been longer than this period between watchdog executions count a minor trip.  "
           "Default is 500."),
    Option("watchdog_major_threshold", _K.TIME_MS, PERF,
           "If it has been longer than this period between watchdog executions count a major trip.  "
           "Default is 3000."),
    Option("watchdog_major_maxtriggers", _K.INT, PERF,
           "How many times the major watchdog timer can be tripped before the test is terminated.  "
           "Default is 10."),
    Option("watchdog_minor_maxtriggers", _K.INT, PERF,
           "How many times the minor watchdog timer can be tripped before the test is terminated.  "
           "Default is 120."),
    Option("f", _K.TIME_S, TRACE,
           "Set the statistics report frequency on screen. Default is 1 and default unit is seconds."),
    Option("trace_stat", _K.FLAG, TRACE,
           "Dumps all statistics in <scenario_name>_<pid>_.csv file. Use the '-h stat' option for a "
           "detailed description of the statistics file content."),
    Option("stat_delimiter", _K.STR, TRACE, "Set the delimiter for the statistics file"),
    Option("stf", _K.STR, TRACE, "Set the file name to use to dump statistics"),
    Option("fd", _K.TIME_S, TRACE,
           "Set the statistics dump log report frequency. Default is 60 and default unit is seconds."),
    Option("rfc3339", _K.FLAG, TRACE,
           "Write RFC 3339 (ISO 8601) timestamps with the time zone offset in the log and statistics "
           "files."),
    Option("periodic_rtd", _K.FLAG, TRACE,
           "Reset response time partition counters each logging interval."),
    Option("trace_msg", _K.FLAG, TRACE,
           "Displays sent and received SIP messages in <scenario file name>_<pid>_messages.log"),
    Option("message_file", _K.STR, TRACE, "Set the name of the message log file."),
    Option("message_overwrite", _K.BOOL, TRACE, "Overwrite the message log file (default true)."),
    Option("trace_shortmsg", _K.FLAG, TRACE,
           "Displays sent and received SIP messages as CSV in <scenario file "
           "name>_<pid>_shortmessages.log"),
    Option("shortmessage_file", _K.STR, TRACE, "Set the name of the short message log file."),
    Option("shortmessage_overwrite", _K.BOOL, TRACE,
           "Overwrite the short message log file (default true)."),
    Option("trace_counts", _K.FLAG, TRACE, "Dumps individual message counts in a CSV file."),
    Option("trace_err", _K.FLAG, TRACE,
           "Trace all unexpected messages in <scenario file name>_<pid>_errors.log."),
    Option("error_file", _K.STR, TRACE, "Set the name of the error log file."),
    Option("error_overwrite", _K.BOOL, TRACE, "Overwrite the error log file (default true)."),
    Option("trace_error_codes", _K.FLAG, TRACE,
           "Dumps the SIP response codes of unexpected messages to <scenario file "
           "name>_<pid>_error_codes.csv."),
    Option("trace_calldebug", _K.FLAG, TRACE,
           "Dumps debugging information about aborted calls to <scenario_name>_<pid>_calldebug.log file."),
    Option("calldebug_file", _K.STR, TRACE, "Set the name of the call debug file."),
    Option("calldebug_overwrite", _K.BOOL, TRACE, "Overwrite the call debug file (default true)."),
    Option("trace_screen", _K.FLAG, TRACE,
           "Dump statistic screens in the <scenario_name>_<pid>_screen.log file when quitting SIPp. "
           "Useful to get a final status report in background mode (-bg option)."),
    Option("screen_file", _K.STR, TRACE, "Set the name of the screen file."),
    Option("screen_overwrite", _K.BOOL, TRACE, "Overwrite the screen file (default true)."),
    Option("trace_rtt", _K.FLAG, TRACE,
           "Allow tracing of all response times in <scenario file name>_<pid>_rtt.csv."),
    Option("rtt_freq", _K.INT, TRACE,
           "freq is mandatory. Dump response times every freq calls in the log file defined by "
           "-trace_rtt. Default value is 200."),
    Option("trace_logs", _K.FLAG, TRACE,
           "Allow tracing of <log> actions in <scenario file name>_<pid>_logs.log."),
    Option("log_file", _K.STR, TRACE, "Set the name of the log actions log file."),
    Option("log_overwrite", _K.BOOL, TRACE, "Overwrite the log actions log file (default true)."),
    Option("ringbuffer_files", _K.INT, TRACE,
           "How many error, message, shortmessage and calldebug files should be kept after rotation?"),
    Option("ringbuffer_size", _K.INT, TRACE,
           "How large should error, message, shortmessage and calldebug files be before they get rotated?"),
    Option("max_log_size", _K.INT, TRACE,
           "What is the limit for error, message, shortmessage and calldebug file sizes."),
    Option("workers", _K.WORKERS, SIPPERF,
           "Number of worker processes, each with its own event loop, sharing the call rate, -l, -m and "
           "the call numbers; 'auto' starts one per CPU. Default is 1. Their statistics merge into one "
           "screen and one statistics file. As a client, worker k binds its own port (-p P: P+k). As a "
           "server, every worker listens on the same port (SO_REUSEPORT) and the system hands each "
           "sender's address and port to one worker: the calls of a single peer socket all go to one "
           "worker, several peers spread over them."),
)  # fmt: skip

# The options this version implements; any other recognised option is refused.
SUPPORTED: frozenset[str] = frozenset({
    "sd", "sf", "sn", "i", "p", "t", "s", "au", "ap", "r", "rp", "l", "m", "d", "timeout",
    "timeout_error", "recv_timeout", "nr", "max_retrans", "max_invite_retrans", "max_non_invite_retrans",
    "T2", "base_cseq", "cid_str", "nostdin", "bg", "v", "h", "help", "trace_stat", "stf", "fd", "f",
    "stat_delimiter", "deadcall_wait", "buff_size", "default_behaviors", "nd", "aa", "key", "mi", "mp",
    "min_rtp_port", "timer_resol", "skip_rlimit", "sleep", "lost", "rate_scale", "periodic_rtd",
    "trace_msg", "trace_err", "message_file", "error_file", "message_overwrite", "error_overwrite",
    "pause_msg_ign", "callid_slash_ign", "workers", "rtcheck", "max_recv_loops", "max_sched_loops",
    "trace_logs", "log_file", "log_overwrite", "set", "users",
    "inf", "infindex", "ip_field",
    "auth_uri", "tdmmap",
})  # fmt: skip

_BY_NAME: dict[str, Option] = {opt.name: opt for opt in OPTIONS}

# SIPp's order-dependent conflicts: (option, fields already set, fatal message).
_ONE_SCENARIO = "Internal error, main_scenario already set"
_NOT_WITH_3PCC = "-master and -slave options are not compatible with -3PCC option"
_NOT_WITH_MASTER = "-3PCC option is not compatible with -master and -slave options"
_CONFLICTS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("l", frozenset({"users"}), "Can not set open call limit (-l) when -users is specified."),
    ("sf", frozenset({"sf", "sn"}), _ONE_SCENARIO),
    ("sn", frozenset({"sf", "sn"}), _ONE_SCENARIO),
    ("3pcc", frozenset({"master", "slave"}), _NOT_WITH_MASTER),
    ("3pcc", frozenset({"slave_cfg"}), "-3pcc and -slave_cfg options are not compatible"),
    ("slave_cfg", frozenset({"threepcc"}), "-slave_cfg and -3pcc options are not compatible"),
    ("master", frozenset({"master", "slave"}), "-slave and -master options are not compatible"),
    ("slave", frozenset({"master", "slave"}), "-slave and -master options are not compatible"),
    ("master", frozenset({"threepcc"}), _NOT_WITH_3PCC),
    ("slave", frozenset({"threepcc"}), _NOT_WITH_3PCC),
)


class Exit(Exception):
    """Parsing ended the program on purpose (help, version, -sd): exit with `code`."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _fatal(message: str, hint: str | None = None) -> FatalError:
    """A command-line error: SIPp exits 1 for every fatal error raised before the run is set up."""
    return FatalError(message, EXIT_FAILED_CALLS, hint)


# ---------------------------------------------------------------- values (C library semantics)

_TIME_UNITS_MS = {"s": 1000, "ms": 1, "m": 60_000, "h": 3_600_000}


def parse_int(text: str, option: str) -> int:
    """An integer option value as SIPp reads it (`0x10` hex, `010` octal); junk is fatal."""
    value, rest = strtol(text)
    if rest:
        raise _fatal(f'{option}, "{text}" is not a valid integer!')
    return value


def parse_float(text: str, option: str) -> float:
    """A floating-point option value (C `strtod`); junk is fatal."""
    value, rest = strtod(text)
    if rest:
        raise _fatal(f'{option}, "{text}" is not a floating point number!')
    return value


def parse_bool(text: str, option: str) -> bool:
    """`true`/`false` (any case) or an integer, 0 meaning false."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    value, rest = strtol(text)
    if rest:
        raise _fatal(f'{option}, "{text}" is not a valid boolean!')
    return value != 0


def parse_time(text: str, option: str, unit_ms: int) -> int:
    """A duration in int milliseconds: a number, then `ms`, `s`, `m`, `h` or nothing (`unit_ms` each)."""
    invalid = _fatal(f'{option}, "{text}" is not a valid time!')
    if text[:1] not in tuple("0123456789"):
        raise invalid
    colons = text.count(":")
    if colons in (1, 2):
        layout = "mm:ss" if colons == 1 else "hh:mm:ss"
        raise _fatal(f'{option}, "{text}" {layout} not implemented yet!')
    value, rest = strtod(text)
    scale = _TIME_UNITS_MS.get(rest) if rest else unit_ms
    if colons or scale is None or not math.isfinite(value * scale):
        raise invalid
    return int(value * scale)


def split_host_port(text: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address -> (host, port or None)."""
    host, port = text, ""
    if text.startswith("[") and "]" in text:
        end = text.index("]")
        host, rest = text[1:end], text[end + 1 :]
        port = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    digits = re.match(r"\s*([0-9]+)", port)  # C atol: leading digits, 0 when none
    return host, (int(digits.group(1)) or None) if digits else None


def parse_behaviors(text: str) -> frozenset[str]:
    """`-default_behaviors`: comma list applied in order to an empty set (`all`, `none`, `-x`, `+x`)."""
    result: set[str] = set()
    for token in filter(None, text.split(",")):
        if token == "none":
            result.clear()
            continue
        name = token[1:] if token[0] in "+-" else token
        if name == "all":
            names = DEFAULT_BEHAVIORS
        elif name in DEFAULT_BEHAVIORS:
            names = frozenset({name})
        else:
            raise _fatal(f"Unknown default behavior: '{token}'")
        if token[0] == "-":
            result -= names
        else:
            result |= names
    return frozenset(result)


def _builtin_name(name: str) -> str:
    if name not in builtin.NAMES:
        raise _fatal(f"Invalid default scenario name '{name}'")
    return name


def _transport(value: str) -> str:
    if value not in TRANSPORTS:
        raise _fatal(f"Invalid argument for -t param : '{value}'.", HINT)
    return value


def _rtcheck(value: str) -> str:
    if value not in ("full", "loose"):
        raise _fatal(f"Unknown retransmission detection method: {value}")
    return value


def _workers(value: str, option: str) -> int:
    count = (os.cpu_count() or 1) if value == "auto" else parse_int(value, option)
    if count < 1:
        raise _fatal(f'{option}, "{value}" is not a valid number of workers!')
    return count


def _infindex(file: str, field: str, inf: tuple[str, ...]) -> tuple[str, int]:
    if file not in {base_name(path) for path in inf}:
        raise _fatal(f"Could not find file for -infindex: {file}")
    value, rest = strtol(field)
    if rest:
        raise _fatal(f"Invalid field specification for -infindex: {field}")
    return file, value


def _value(opt: Option, token: str, args: list[str], values: dict[str, Any]) -> Any:
    """The new value of `opt.dest` after `token args...` (`values`: what earlier options set)."""
    current = values.get(opt.dest, opt.default)
    match opt.kind:
        case Kind.FLAG:
            return True
        case Kind.NO_DEFAULTS:
            return frozenset()
        case Kind.BOOL:
            return parse_bool(args[0], token)
        case Kind.INT:
            return parse_int(args[0], token)
        case Kind.FLOAT:
            return parse_float(args[0], token)
        case Kind.STR:
            return args[0]
        case Kind.IP:
            return split_host_port(args[0])[0]
        case Kind.TIME_MS:
            return parse_time(args[0], token, 1)
        case Kind.TIME_S:
            return parse_time(args[0], token, 1000)
        case Kind.BUILTIN:
            return _builtin_name(args[0])
        case Kind.TRANSPORT:
            return _transport(args[0])
        case Kind.BEHAVIORS:
            return parse_behaviors(args[0])
        case Kind.RTCHECK:
            return _rtcheck(args[0])
        case Kind.INFILE:
            return (*current, args[0])
        case Kind.PAIR:
            return (*current, (args[0], args[1]))
        case Kind.INFINDEX:
            return (*current, _infindex(args[0], args[1], values.get("inf", ())))
        case Kind.TDMMAP:
            return TdmMap.parse(args[0])
        case Kind.WORKERS:
            return _workers(args[0], token)
    raise AssertionError(f"unhandled option kind {opt.kind}")


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class _Given:
    """One option occurrence on the command line: the option, the spelling used, its arguments."""

    option: Option
    token: str
    args: list[str]


def _find(token: str) -> Option | None:
    if not token.startswith("-"):
        return None
    name = token[1:]
    return _BY_NAME.get(name[1:] if name.startswith("-") else name)


def _scan(argv: list[str]) -> tuple[list[_Given], list[str]]:
    """SIPp's pass 0: split argv into options and positionals; act on -h, -v and -sd at once."""
    given: list[_Given] = []
    positionals: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        opt = _find(token)
        if opt is None:
            if token.startswith("-"):
                _emit(help_text())
                raise _fatal(f"Invalid argument: '{token}'.", HINT)
            positionals.append(token)
            index += 1
            continue
        if opt.kind is Kind.HELP:
            _emit(help_text())
            raise Exit(EXIT_NO_CALLS)
        if opt.kind is Kind.VERSION:
            _emit(version_text())
            raise Exit(EXIT_NO_CALLS)
        args = argv[index + 1 : index + 1 + opt.kind.arity]
        if len(args) < opt.kind.arity:
            raise _fatal(f"Missing argument for param '{argv[index + len(args)]}'.", HINT)
        if opt.kind is Kind.DUMP:
            _dump(args[0])
        given.append(_Given(opt, token, args))
        index += 1 + len(args)
    return given, positionals


def _dump(name: str) -> None:
    xml = builtin.xml(_builtin_name(name))
    if xml is None:
        raise _fatal(f"scenario '{name}' is not supported yet")
    sys.stdout.flush()
    sys.stdout.buffer.write(xml)
    sys.stdout.flush()
    raise Exit(EXIT_NO_CALLS)


def _check_combinations(values: dict[str, Any]) -> None:
    """SIPp's checks once all options are read."""
    if ("slave_cfg" in values) != ("master" in values or "slave" in values):
        raise _fatal("-slave_cfg option must be used with -slave or -master option")
    if values.get("t", "u1").endswith("i") and not values.get("inf"):
        raise _fatal("You must use the -inf option when using -t ui.", HINT)
    if values.get("ringbuffer_size") and values.get("max_log_size"):
        raise _fatal("Ring Buffer options and maximum log size are mutually exclusive.")


def _check_supported_values(values: dict[str, Any]) -> None:
    """Values of supported options that this version cannot run yet."""
    transport = values.get("t", "u1")
    if transport != "u1":
        raise _fatal(f"transport mode '{transport}' is not supported yet")
    if values.get("workers", 1) > 1 and values.get("users") is not None:
        raise _fatal("option -users is not supported with -workers yet")
    scenario = values.get("sn")
    if scenario is not None and builtin.xml(_builtin_name(scenario)) is None:
        raise _fatal(f"scenario '{scenario}' is not supported yet")
    if values.get("tdmmap") is not None and values.get("workers", 1) > 1:  # one circuit table per run
        raise _fatal("option -tdmmap is not supported with -workers yet")


def parse_args(argv: list[str], *, check_supported: bool = True) -> Config:
    """argv (without the program name) -> `Config`.

    Raises `Exit` after printing the help, the version or a `-sd` dump, and `FatalError` (exit 1)
    for any bad argument. With `check_supported`, options or values this version cannot run yet are
    refused with a fatal error instead of being parsed.
    """
    if not argv:
        _emit(help_text())
        raise Exit(EXIT_NO_CALLS)
    given, positionals = _scan(argv)
    if check_supported:
        for item in given:
            if item.option.name not in SUPPORTED:
                raise _fatal(f"option -{item.option.name} is not supported yet")
    values: dict[str, Any] = {}
    for item in given:
        opt = item.option
        for name, already, message in _CONFLICTS:
            if name == opt.name and already & values.keys():
                raise _fatal(message)
        values[opt.dest] = _value(opt, item.token, item.args, values)
    if check_supported:
        _check_supported_values(values)
    _check_combinations(values)
    if positionals:
        values["remote_host"], values["remote_port"] = split_host_port(positionals[-1])
    return Config(**values)


# ---------------------------------------------------------------- help and version

_USAGE = """
Usage:

  sipperf remote_host[:remote_port] [options]

Example:

   Run SIPp with embedded server (uas) scenario:
     sipperf -sn uas
   On the same host, run SIPp with embedded client (uac) scenario:
     sipperf -sn uac 127.0.0.1

  Available options:

"""

_SIGNALS_AND_EXIT_CODES = """

Signal handling:

   SIPp can be controlled using POSIX signals. The following signals
   are handled:
   USR1: Similar to pressing the 'q' key. It triggers a soft exit
         of SIPp. No more new calls are placed and all ongoing calls
         are finished before SIPp exits.
         Example: kill -SIGUSR1 732
   USR2: Triggers a dump of all statistics screens in
         <scenario_name>_<pid>_screen.log file. Especially useful
         in background mode to know what the current status is.
         Example: kill -SIGUSR2 732

Exit codes:

   Upon exit (on fatal error or when the number of asked calls (-m
   option) is reached, SIPp exits with one of the following exit
   code:
    0: All calls were successful
    1: At least one call failed, or a fatal error before the run
       started (bad option, scenario error)
   97: Exit on internal command. Calls may have been processed
   99: Help, version, -sd dump, or parent of -bg
  254: Fatal error binding a socket (address already in use)
  255: Any other fatal error
"""

_GPL = """ This program is free software; you can redistribute it and/or
 modify it under the terms of the GNU General Public License as
 published by the Free Software Foundation; either version 2 of
 the License, or (at your option) any later version.

 This program is distributed in the hope that it will be useful,
 but WITHOUT ANY WARRANTY; without even the implied warranty of
 MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 GNU General Public License for more details.

 You should have received a copy of the GNU General Public
 License along with this program; if not, write to the
 Free Software Foundation, Inc.,
 59 Temple Place, Suite 330, Boston, MA  02111-1307 USA

 Author: see source files.

"""

_HELP_INDENT = 22  # "   -" + 16 columns + ": "
_HELP_WIDTH = 77


def wrap(text: str, indent: int = _HELP_INDENT, width: int = _HELP_WIDTH) -> str:
    """SIPp's help wrapping: lines of at most `width` characters after an `indent`-space margin.

    Explicit newlines start a new indented line; a line starting with `-` (a list item) continues
    two columns further in. The overflowing word moves to the next line, or is cut if the line has
    no space. As in SIPp, lines after the first hold one character less.
    """
    out: list[str] = []
    line_start = 0  # index in `out` of the current line's first text character
    column = 0
    item = False
    for index, char in enumerate(text):
        out.append(char)
        if char == "\n":
            out.extend(" " * indent)
            line_start, column, item = len(out), 0, False
        elif char == "-" and index > 0 and text[index - 1] == "\n":
            item = True
        column += 1
        if column <= width:
            continue
        margin = " " * (indent + 2 if item else indent)
        space = next((k for k in range(len(out) - 1, line_start - 1, -1) if out[k].isspace()), None)
        if space is None:
            out.extend("\n" + margin)
            line_start, column = len(out), 0
        else:
            out[space : space + 1] = ["\n", *margin]
            line_start = space + 1 + len(margin)
            column = len(out) - line_start + 1
    return "".join(out)


def help_text() -> str:
    """The full `-h` text, laid out as SIPp's."""
    parts = [_USAGE]
    group = None
    for opt in OPTIONS:
        if opt.help is None:
            continue
        if opt.group != group:
            group = opt.group
            parts.append(f"\n*** {wrap(group + ':')}\n\n")
        parts.append(f"   -{opt.name:<16}: {wrap(opt.help)}\n")
    parts.append(_SIGNALS_AND_EXIT_CODES)
    return "".join(parts)


def version_text() -> str:
    """The `-v` banner: SIPp's layout with sipperf's name and version."""
    return f"\n sipperf v{__version__}, compatible with SIPp v{SIPP_VERSION}.\n\n{_GPL}"


def _emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# ---------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    """The `sipperf` command: parse, run, exit with SIPp's exit code."""
    try:
        config = parse_args(sys.argv[1:] if argv is None else argv)
    except Exit as done:
        sys.exit(done.code)
    except FatalError as err:
        sys.exit(report_fatal(err))
    from sipperf.runner import run  # imported late: -h, -v and -sd must work without the engine

    try:
        code = run(config)
    except FatalError as err:
        code = report_fatal(err)
    sys.exit(code)
