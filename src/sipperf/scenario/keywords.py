"""The registry of message keywords: name -> how to render it.

Each entry turns a keyword (name, offset, parameters) and the run's constants into either a string
(the value cannot change during the run, so binding folds it into the template) or a function of
the call being rendered. The call is read through the attributes listed in `CallView`; this module
knows nothing else of the engine.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sipperf.cnumbers import atol
from sipperf.errors import FatalError
from sipperf.scenario.injection import AUTOMATIC_CALL, InjectionFiles
from sipperf.scenario.variables import Scope, as_double
from sipperf.scenario.variables import Value as VariableValue
from sipperf.scenario.variables import render as render_value
from sipperf.sip.digest import Challenge, DigestError, credentials
from sipperf.sip.headers import uri_in_brackets
from sipperf.sip.message import SipMessage
from sipperf.tdmmap import TdmMap
from sipperf.timefmt import tab_timestamp

# Keywords after which SIPp applies the empty-line removal rule (reference 5.1).
LINE_REMOVING = ("last_", "$", "field", "routes")


class CallView(Protocol):
    """What a per-call renderer reads from the call."""

    number: int
    call_id: str
    cseq: int
    msg_index: int
    index: int  # the call's position in the scenario
    last_msg: SipMessage | None
    peer_tag: str | None
    userid: int
    variables: dict[str, VariableValue] | None  # the call's own variables (None until one is set)
    routes: str | None  # rrs: the recorded route set ("" when empty), None when not recorded
    next_url: str  # rrs: the remote target
    lines: tuple[int, ...] | None  # -inf: the call's line in each file (-1: none); None: automatic call
    challenge: Challenge | None  # the last 401/407 kept by a recv with auth="true"
    tdm_circuit: int  # -tdmmap: the call's circuit (1-based; 0 without -tdmmap)
    srtp_keys: dict[str, str] | None  # [cryptokeyparams...]: the last key of each, by suffix


@dataclass
class RunContext:
    """Values fixed for the whole run, known once the sockets are open."""

    pid: int
    service: str
    local_ip: str  # IPv6 in brackets
    local_port: int
    remote_ip: str  # IPv6 in brackets
    remote_port: int
    remote_host: str
    transport: str  # "UDP"
    media_ip: str  # no brackets
    media_port: int
    server_ip: str
    sipp_version: str
    users: int = -1
    custom: dict[str, str] = field(default_factory=dict)
    now_ms: Callable[[], float] = lambda: 0.0
    dynamic_start: int = 10000
    dynamic_max: int = 12000
    dynamic_step: int = 4
    dynamic_next: int = 10000
    # where `[$name]` finds a variable: the scenario's <Global>/<User> names; any other is the call's
    variable_scopes: dict[str, Scope] = field(default_factory=dict)
    global_variables: dict[str, VariableValue] = field(default_factory=dict)  # the engine's tables
    user_variables: dict[int, dict[str, VariableValue]] = field(default_factory=dict)
    # compiles a templated keyword parameter (`[file name="[$f]"]`); set by the template module
    compile: Callable[[str], Any] | None = None
    # binding an action's attribute: SIPp renders those with [msg_index] -2 and [branch] from the
    # call's position - 1 (the step before the one whose actions run)
    in_action: bool = False
    injection: InjectionFiles | None = None  # -inf
    warning: Callable[[str], None] = lambda text: None  # a SIPp warning (the engine's)
    auth_username: str | None = None  # -au; None: the -s value
    auth_password: str = "password"  # -ap
    auth_uri: str | None = None  # -auth_uri; None: <remote_ip>:<remote_port>
    tdmmap: TdmMap | None = None  # -tdmmap


def ip_type(ip: str) -> str:
    return "6" if ":" in ip else "4"


Value = str | Callable[[Any], str]
Factory = Callable[[int, dict[str, str], RunContext], Value]


def _last(fn: Callable[[SipMessage], str]) -> Callable[[CallView], str]:
    def render(call: CallView) -> str:
        msg = call.last_msg
        return fn(msg) if msg is not None else ""

    return render


class Inline:
    """A per-call renderer that generated render code writes in place (see template.py): `expr`, an
    f-string over `call` alone, read without a function call. Calling it works too."""

    __slots__ = ("expr", "_fn")

    def __init__(self, body: str) -> None:
        self.expr = "f" + repr(body)
        self._fn: Callable[[Any], str] = eval(f"lambda call: {self.expr}", {})  # noqa: S307 - built here

    def __call__(self, call: CallView) -> str:
        return self._fn(call)


def _literal(text: str) -> str:
    """`text` as it stands inside an f-string body."""
    return text.replace("{", "{{").replace("}", "}}")


def _plus(offset: int) -> str:
    return f" + {offset}" if offset else ""


class LastHeader:
    """The renderer of `[last_<Name>:]`: the header line(s) of the last received message. Generated
    render code calls `header_line` directly for it (see template.py); calling it works too."""

    __slots__ = ("header",)

    def __init__(self, header: str) -> None:
        self.header = header

    def __call__(self, call: CallView) -> str:
        msg = call.last_msg
        return msg.header_line(self.header) if msg is not None else ""


def _last_header(name: str) -> Factory:
    header = name[:-1] if name.endswith(":") else name
    return lambda off, params, ctx: LastHeader(header)


def _branch(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    prefix = _literal(f"z9hG4bK-{ctx.pid}-")
    if ctx.in_action:
        return Inline(f"{prefix}{{call.number}}-{{call.index - 1{_plus(off)}}}")
    return Inline(f"{prefix}{{call.number}}-{{call.msg_index{_plus(off)}}}")


def _msg_index(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    if ctx.in_action:
        return "-2"
    return Inline("{call.msg_index}")


def _dynamic_id(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    def render(call: CallView) -> str:
        value = ctx.dynamic_next
        ctx.dynamic_next += ctx.dynamic_step
        if ctx.dynamic_next > ctx.dynamic_max:
            ctx.dynamic_next = ctx.dynamic_start
        return str(value)

    return render


def _last_cseq_number(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    return lambda call: str((call.last_msg.cseq[0] if call.last_msg else 0) + off)


def _peer_tag_param(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    return Inline("{';tag=' + call.peer_tag if call.peer_tag else ''}")


def _auto_media_port(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    return lambda call: str(ctx.media_port + off + (4 * (call.number - 1)) % 10000)


def _variable_lookup(name: str, ctx: RunContext) -> Callable[[CallView], VariableValue | None]:
    """How a renderer finds variable `name` of the call it renders, by the variable's scope."""
    scope = ctx.variable_scopes.get(name, Scope.CALL)
    if scope is Scope.GLOBAL:
        table = ctx.global_variables
        return lambda call: table.get(name)
    if scope is Scope.USER:
        users = ctx.user_variables
        return lambda call: users.get(call.userid, {}).get(name)
    return lambda call: call.variables.get(name) if call.variables else None


def variable(name: str, ctx: RunContext) -> Value:
    """`[$name]`: the variable as SIPp renders it (a double as `3.000000`)."""
    lookup = _variable_lookup(name, ctx)
    return lambda call: render_value(lookup(call))


def _fill(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    """`[fill variable=v text=t]`: `t` (default `X`) repeated to the length held by double `v`."""
    text = params.get("text") or "X"
    lookup = _variable_lookup(params.get("variable", ""), ctx)

    def render(call: CallView) -> str:
        length = int(as_double(lookup(call)))
        if length <= 0:
            return ""
        return (text * (length // len(text) + 1))[:length]

    return render


def _read_file(path: str) -> str:
    try:
        with open(path, encoding="latin-1", newline="") as source:
            return source.read()
    except OSError as err:
        raise FatalError(f"Unable to open '{path}' for the [file] keyword: {err.strerror}") from None


def _file(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    """`[file name=path]`: the file's bytes as they are (read once; a templated name per message)."""
    name = params.get("name", "")
    if "[" not in name or ctx.compile is None:
        return _read_file(name)
    path = ctx.compile(name)
    contents: dict[str, str] = {}

    def render(call: CallView) -> str:
        where = path.render(call)
        text = contents.get(where)
        if text is None:
            text = contents[where] = _read_file(where)
        return text

    return render


def _templated(text: str, ctx: RunContext) -> Callable[[CallView], str]:
    """A keyword parameter that is itself a template (`username="[$user]"`), as a function of the
    call; a constant one without keywords."""
    if "[" not in text or ctx.compile is None:
        return lambda call: text
    return ctx.compile(text).render


class Authentication:
    """`[authentication username=u password=p]`: the `Authorization:` (after a 401) or
    `Proxy-Authorization:` (after a 407) line answering the call's challenge (reference 7.1).

    The line needs the method and the body of the message it goes into, so the template fills it in
    once the rest of the message is rendered (`line`). The user defaults to -au, else -s, the
    password to -ap; both may hold keywords. The digest URI is `sip:` + -auth_uri, else `sip:` +
    the remote IP (no brackets) and port, as SIPp has it (not the Request-URI)."""

    __slots__ = ("username", "password", "uri")

    def __init__(self, params: dict[str, str], ctx: RunContext) -> None:
        default_user = ctx.auth_username if ctx.auth_username is not None else ctx.service
        self.username = _templated(params.get("username") or default_user, ctx)
        self.password = _templated(params.get("password") or ctx.auth_password, ctx)
        remote = f"{ctx.remote_ip.strip('[]')}:{ctx.remote_port}"
        self.uri = "sip:" + (ctx.auth_uri if ctx.auth_uri is not None else remote)

    def line(self, call: CallView, method: str, body: str) -> str:
        """The header line (no CRLF) for a `method` request with this `body`; SIPp's fatal errors
        when the call has no challenge or the challenge cannot be answered."""
        challenge = call.challenge
        if challenge is None:
            raise FatalError("Authentication keyword without dialog_authentication!")
        challenge.nonce_count += 1
        count, user, password = challenge.nonce_count, self.username(call), self.password(call)
        try:
            value = credentials(challenge.header, user, password, method, self.uri, body, count)
        except DigestError as err:
            raise FatalError(str(err)) from None
        return f"{challenge.header_name}: {value}"


def _tdmmap(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    """`[tdmmap]`: the call's circuit `x.h.y/z`; without -tdmmap, SIPp's fatal error when sent."""
    tdm = ctx.tdmmap
    if tdm is not None:
        return lambda call: tdm.label(call.tdm_circuit)

    def refuse(call: CallView) -> str:
        raise FatalError("[tdmmap] keyword without -tdmmap parameter on command line")

    return refuse


def _http_date() -> str:
    """`[date]`: the current time as an HTTP date (RFC 7231), as SIPp prints it."""
    import email.utils  # loaded with the first [date]: most runs have none

    return email.utils.formatdate(usegmt=True)


def _constant(text: str) -> Factory:
    return lambda off, params, ctx: text


def _srtp_key(stream: str) -> Factory:
    """`[cryptokeyparams<n><media>]`: a new SRTP master key and salt for the call (16 + 14 random
    bytes in base64, as SIPp's jlsrtp), kept; with a negative offset, the last one again."""

    def factory(off: int, params: dict[str, str], ctx: RunContext) -> Value:
        if off < 0:
            return lambda call: call.srtp_keys.get(stream, "") if call.srtp_keys else ""

        def render(call: CallView) -> str:
            key = base64.b64encode(os.urandom(30)).decode("ascii")
            if call.srtp_keys is None:
                call.srtp_keys = {}
            call.srtp_keys[stream] = key
            return key

        return render

    return factory


def _crypto_keywords() -> dict[str, Factory]:
    """SIPp 3.7's SDES keywords of RTP-check scenarios, for the primary (1) and secondary (2) crypto
    line of audio and video (`a=crypto:[cryptotag1audio] [cryptosuiteaescm128sha1801audio]
    inline:[cryptokeyparams1audio]`): the tag, the suite names, `UNENCRYPTED_SRTP` for the `ue...`
    suites, and the key params."""
    table: dict[str, Factory] = {}
    for stream in ("1audio", "2audio", "1video", "2video"):
        table[f"cryptotag{stream}"] = _constant(stream[0])
        table[f"cryptokeyparams{stream}"] = _srtp_key(stream)
        for bits in ("80", "32"):
            table[f"cryptosuiteaescm128sha1{bits}{stream}"] = _constant(f"AES_CM_128_HMAC_SHA1_{bits}")
            table[f"cryptosuitenullsha1{bits}{stream}"] = _constant(f"NULL_HMAC_SHA1_{bits}")
            table[f"ueaescm128sha1{bits}{stream}"] = _constant("UNENCRYPTED_SRTP")
    return table


def _field(number: int, params: dict[str, str], ctx: RunContext) -> Value:
    """`[fieldN]`: field N of the call's line of the default -inf file, or of `file=`; `line=`
    (templated) asks for that line instead."""
    files = ctx.injection
    if files is None:
        raise FatalError("No injection file was specified!")
    name = params.get("file") or files.default
    data = files.get(name)
    if data is None:
        raise FatalError(f"Invalid injection file: {name}")
    position = files.position(name)
    line_text = params.get("line", "")
    if not line_text:

        def render(call: CallView) -> str:
            lines = call.lines
            if lines is None:
                raise FatalError(AUTOMATIC_CALL)
            return data.field(lines[position], number, ctx.warning)

        return render
    line_template = ctx.compile(line_text) if "[" in line_text and ctx.compile is not None else None

    def render_line(call: CallView) -> str:
        if call.lines is None:
            raise FatalError(AUTOMATIC_CALL)
        text = line_text if line_template is None else line_template.render(call)
        return data.field(data.requested_line(text), number, ctx.warning)

    return render_line


def _routes(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    """`[routes]`: `Route: <hop>, <hop>` from the recorded route set, or nothing."""
    return lambda call: f"Route: {call.routes}" if call.routes else ""


def _next_url(off: int, params: dict[str, str], ctx: RunContext) -> Value:
    """`[next_url]`: the recorded remote target, else `[last_Request_URI]`."""

    def render(call: CallView) -> str:
        if call.routes is not None and call.next_url:
            return call.next_url
        msg = call.last_msg
        return uri_in_brackets(msg.first("To") or "") if msg is not None else ""

    return render


BUILTIN: dict[str, Factory] = {
    "service": lambda off, params, ctx: ctx.service,
    "remote_ip": lambda off, params, ctx: ctx.remote_ip,
    "remote_host": lambda off, params, ctx: ctx.remote_host,
    "remote_port": lambda off, params, ctx: str(ctx.remote_port + off),
    "transport": lambda off, params, ctx: ctx.transport,
    "local_ip": lambda off, params, ctx: ctx.local_ip,
    "local_ip_type": lambda off, params, ctx: ip_type(ctx.local_ip),
    "local_port": lambda off, params, ctx: str(ctx.local_port + off),
    "server_ip": lambda off, params, ctx: ctx.server_ip,
    "media_ip": lambda off, params, ctx: ctx.media_ip,
    "media_ip_type": lambda off, params, ctx: ip_type(ctx.media_ip),
    "media_port": lambda off, params, ctx: str(ctx.media_port + off),
    "rtpstream_audio_port": lambda off, params, ctx: str(ctx.media_port + off),
    "rtpstream_video_port": lambda off, params, ctx: str(ctx.media_port + off),
    "auto_media_port": _auto_media_port,
    "pid": lambda off, params, ctx: str(ctx.pid),
    "sipp_version": lambda off, params, ctx: ctx.sipp_version,
    "users": lambda off, params, ctx: str(ctx.users),
    "userid": lambda off, params, ctx: Inline("{call.userid}"),
    "branch": _branch,
    "call_number": lambda off, params, ctx: Inline("{call.number}"),
    "call_id": lambda off, params, ctx: Inline("{call.call_id}"),
    "cseq": lambda off, params, ctx: Inline(f"{{call.cseq{_plus(off)}}}"),
    "msg_index": _msg_index,
    "peer_tag_param": _peer_tag_param,
    "last_Request_URI": lambda off, params, ctx: _last(lambda msg: uri_in_brackets(msg.first("To") or "")),
    "last_cseq_number": _last_cseq_number,
    "last_message": lambda off, params, ctx: _last(lambda msg: msg.text),
    "clock_tick": lambda off, params, ctx: lambda call: str(int(ctx.now_ms())),
    "timestamp": lambda off, params, ctx: lambda call: tab_timestamp(time.time()),
    "date": lambda off, params, ctx: lambda call: _http_date(),
    "dynamic_id": _dynamic_id,
    "fill": _fill,
    "routes": _routes,
    "next_url": _next_url,
    "file": _file,
    "tdmmap": _tdmmap,
    **_crypto_keywords(),
}


def is_known(name: str, custom: frozenset[str] | set[str] | dict[str, str]) -> bool:
    """True when `name` is a keyword sipperf renders (built-in, `[last_*]`, `[fieldN]`, or defined by
    -key)."""
    if name in BUILTIN or name == "len" or name == "authentication" or name in custom:
        return True
    if name.startswith("$"):
        return len(name) > 1
    return name.startswith("field") or (name.startswith("last_") and len(name) > len("last_"))


def unsupported(name: str, params: Iterable[tuple[str, str]]) -> str | None:
    """Why a keyword this version knows cannot run yet, None when it can: AKAv1-MD5 needs AES
    (Milenage), which sipperf does not have."""
    if name == "authentication":
        for key, _ in params:
            if key.startswith("aka_"):
                return f"AKAv1-MD5 authentication ([authentication {key}=...]) is not supported yet"
    return None


def make_renderer(keyword: Any, ctx: RunContext) -> Value:
    """The value of `keyword` (an object with name, offset, params) for this run."""
    name: str = keyword.name
    params: dict[str, str] = dict(keyword.params)
    factory = BUILTIN.get(name)
    if factory is None and name.startswith("last_"):
        factory = _last_header(name[len("last_") :])
    if factory is not None:
        return factory(keyword.offset, params, ctx)
    if name.startswith("$"):
        return variable(name[1:], ctx)
    if name.startswith("field"):
        return _field(atol(name[len("field") :]), params, ctx)
    return ctx.custom[name]
