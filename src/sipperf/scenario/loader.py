"""XML scenario file -> `Scenario`, with SIPp's load-time checks and file:line errors.

Everything that can be decided before the first call is decided here: message texts are normalised
and compiled, labels resolved, RTDs numbered, actions parsed, variables counted (SIPp refuses a
variable referenced only once), regular expressions compiled, the client/server mode derived. A
mistake raises `ScenarioError` naming the file, the line and what is wrong.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from lxml import etree

from sipperf.cnumbers import parse_bool
from sipperf.errors import ScenarioError
from sipperf.scenario import builtin
from sipperf.scenario.actions import Action, Jump, parse_actions
from sipperf.scenario.distributions import Fixed, duration_ms, parse_distribution, pause_length
from sipperf.scenario.keywords import is_known
from sipperf.scenario.model import Mode, Scenario, Step, StepKind
from sipperf.scenario.posix_regex import PosixPattern, PosixRegexError, compile_ere
from sipperf.scenario.template import Keyword, Template, TemplateSyntaxError, normalize_cdata, tokenize
from sipperf.scenario.variables import Scope, VariableNames

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_STEP_TAGS = ("send", "recv", "pause", "timewait", "nop", "sendCmd", "recvCmd")
_DEFAULT_MESSAGE_IDS = ("ack", "ack2", "bye", "cancel", "200", "3pcc_abort")
_TRUE = ("true", "1", "yes")


def builtin_path(name: str) -> str:
    return f"<builtin {name}>"


def load_builtin(name: str, custom_keys: frozenset[str] = frozenset()) -> Scenario:
    data = builtin.xml(name)
    if data is None:
        raise ScenarioError(builtin_path(name), None, f"scenario '{name}' is not supported yet")
    return _Loader(builtin_path(name), name, custom_keys).load(data)


def load_file(
    path: str, custom_keys: frozenset[str] = frozenset(), injection_files: tuple[str, ...] = ()
) -> Scenario:
    """The scenario of file `path`; `custom_keys` are the -key names, `injection_files` the base names
    of the -inf files (the first one is the default of `[fieldN]`)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise ScenarioError(path, None, f"Unable to open scenario file: {err.strerror}") from None
    base = os.path.basename(path)
    name = base[:-4] if base.endswith(".xml") else base
    return _Loader(path, name, custom_keys, injection_files).load(data)


def _unescape(value: str) -> str:
    """SIPp's backslash escapes in attribute values: \\\\ \\" \\n \\t \\r."""
    if "\\" not in value:
        return value
    table = {"\\": "\\", '"': '"', "n": "\n", "t": "\t", "r": "\r"}
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and value[i + 1] in table:
            out.append(table[value[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


class _Loader:
    def __init__(self, path: str, name: str, custom_keys: frozenset[str],
                 injection_files: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.path = path
        self.name = name
        self.injection_files = injection_files
        self.title = ""
        self.custom_keys = custom_keys
        self.steps: list[dict] = []
        self.labels: dict[str, int] = {}
        self.init_steps: list[dict] = []
        self.init_labels: dict[str, int] = {}
        self.rtd_names: list[str] = []
        self.stopped_rtds: set[str] = set()
        self.counters: list[str] = []
        self.encoding = "utf-8"
        self.names = VariableNames(path)
        self.hide_default = False
        self.default_messages: dict[str, Template] = {}

    def error(self, line: int | None, what: str) -> ScenarioError:
        return ScenarioError(self.path, line, what)

    # -- document ------------------------------------------------------------------------
    def load(self, data: bytes) -> Scenario:
        parser = etree.XMLParser(strip_cdata=False, resolve_entities=False, no_network=True,
                                 load_dtd=False, remove_comments=True, huge_tree=False)  # fmt: skip
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as err:
            raise self.error(err.lineno, f"Invalid XML in scenario: {err.msg}") from None
        self.encoding = root.getroottree().docinfo.encoding or "utf-8"
        if root.tag != "scenario":
            raise self.error(root.sourceline, "No 'scenario' section in xml scenario file")
        self.title = root.get("name", "")
        rt_rep: tuple[int, ...] = ()
        cl_rep: tuple[int, ...] = ()
        rep_rtds: tuple[str, ...] = ()
        for el in root:
            if not isinstance(el.tag, str):
                continue
            tag = el.tag
            if tag == "label":
                self.add_label(el, self.labels, len(self.steps))
            elif tag in _STEP_TAGS:
                self.add_step(el, self.steps, self.title)
            elif tag == "ResponseTimeRepartition":
                rt_rep = self.repartition(el)
                rep_rtds = tuple(self.rtd_names)
            elif tag == "CallLengthRepartition":
                cl_rep = self.repartition(el)
            elif tag in ("Global", "User"):
                scope = Scope.GLOBAL if tag == "Global" else Scope.USER
                self.names.declare(scope, self.required(el, "variables"), el.sourceline)
            elif tag == "Reference":
                self.names.reference(self.required(el, "variables"), el.sourceline)
            elif tag == "DefaultMessage":
                self.default_message(el)
            elif tag == "init":
                self.init(el)
            else:
                raise self.error(el.sourceline, f"Unknown element '{tag}' in xml scenario file")
        return self.finish(root, rt_rep, cl_rep, rep_rtds)

    def required(self, el: etree._Element, name: str) -> str:
        value = el.get(name)
        if value is None:
            raise self.error(el.sourceline, f"{el.tag} is missing the required '{name}' parameter.")
        return _unescape(value)

    def add_label(self, el: etree._Element, labels: dict[str, int], position: int) -> None:
        label = self.required(el, "id")
        if label in labels:
            raise self.error(el.sourceline, f"The label name '{label}' is used twice.")
        labels[label] = position

    def repartition(self, el: etree._Element) -> tuple[int, ...]:
        value = el.get("value", "")
        parts = [p.strip(" \t") for p in value.split(",")]
        if not all(p.isdigit() for p in parts):
            raise self.error(el.sourceline, f"Invalid repartition value '{value}'")
        return tuple(sorted(int(p) for p in parts))

    def init(self, el: etree._Element) -> None:
        """`<init>`: nops (and labels) run once at start-up, kept apart from the scenario's steps."""
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "nop":
                self.add_step(child, self.init_steps, "scenario initialization")
            elif child.tag == "label":
                self.add_label(child, self.init_labels, len(self.init_steps))
            else:
                raise self.error(child.sourceline, f"Invalid element in an init stanza: '{child.tag}'")

    def default_message(self, el: etree._Element) -> None:
        """`<DefaultMessage id=...>`: replaces one of SIPp's internal messages (abort ACK/BYE/CANCEL,
        automatic 200, 3PCC abort). Its `[$var]` uses are not counted, as in SIPp."""
        ident = self.required(el, "id")
        raw, first_line = self.cdata(el)
        if not raw.strip():
            raise self.error(el.sourceline, "No CDATA in 'send' section of xml scenario file")
        if ident not in _DEFAULT_MESSAGE_IDS:
            raise self.error(el.sourceline, f"Internal Error: Unknown default message: {ident}!")
        self.default_messages[ident] = self.compile_message(raw, first_line, is_send=False, count=False)

    # -- attributes and templates ---------------------------------------------------------
    def attributes(self, el: etree._Element) -> dict[str, str]:
        return {k: _unescape(v) for k, v in el.attrib.items()}

    def wire_attributes(self, el: etree._Element) -> dict[str, str]:
        """An action's attributes as latin-1 text standing for the file's bytes, like messages."""
        return {
            k: v.encode(self.encoding, errors="replace").decode("latin-1")
            for k, v in self.attributes(el).items()
        }

    def known(self, keyword: Keyword) -> bool:
        if keyword.name.startswith("field"):
            self.check_field(keyword)
        return keyword.name.startswith("$") or is_known(keyword.name, self.custom_keys)

    def check_field(self, keyword: Keyword) -> None:
        """SIPp's load-time checks of `[fieldN]`: a -inf file to read (`file=`, or the first one),
        and a `line=` template of known keywords."""
        params = dict(keyword.params)
        file = params.get("file", "")
        if not file and not self.injection_files:
            raise TemplateSyntaxError("No injection file was specified!", keyword.text)
        if file and file not in self.injection_files:
            raise TemplateSyntaxError(f"Invalid injection file: {file}", keyword.text)
        if params.get("line"):
            Template.compile(params["line"], self.known)

    def count_variables(self, tokens: Iterable[str | Keyword], line_of: Callable[[Keyword], int]) -> None:
        """Every `[$name]` and `[fill variable=name]` of a template is a use of that variable, also
        inside the keyword parameters that are templates themselves (`[file name="[$f]"]`)."""
        for token in tokens:
            if not isinstance(token, Keyword):
                continue
            line = line_of(token)
            if token.name.startswith("$"):
                self.names.use(token.name[1:], line, "Variable keyword")
            elif token.name == "fill":
                self.names.use(dict(token.params).get("variable", ""), line, "Fill Variable")
            for _, value in token.params:
                if "[" in value:
                    self.count_variables(tokenize(value), lambda keyword, line=line: line)

    def compile_attribute(self, text: str, line: int) -> Template:
        """A templated action attribute (SIPp compiles it like a message, without normalising it)."""
        try:
            template = Template.compile(text, self.known)
        except TemplateSyntaxError as err:
            raise self.error(line, str(err)) from None
        self.count_variables(template.tokens, lambda keyword: line)
        return template

    def compile_message(self, raw: str, first_line: int, is_send: bool, count: bool = True) -> Template:
        """A message text (CDATA), normalised and compiled; errors name the line of the culprit."""

        def line_of(text: str) -> int:
            return first_line + raw[: max(raw.find(text), 0)].count("\n")

        try:
            template = Template.compile(normalize_cdata(raw, is_send=is_send), self.known)
        except TemplateSyntaxError as err:
            raise self.error(line_of(err.text), str(err)) from None
        if count:
            self.count_variables(template.tokens, lambda keyword: line_of(keyword.text))
        return template

    def flag(self, attrs: dict[str, str], name: str, what: str, line: int, default: bool = False) -> bool:
        """A boolean attribute read as SIPp's get_bool (`what` is how its error names it)."""
        text = attrs.get(name)
        if text is None:
            return default
        value = parse_bool(text)
        if value is None:
            raise self.error(line, f'{what}, "{text}" is not a valid boolean!')
        return value

    def regexp(self, pattern: str, index: int, line: int) -> PosixPattern:
        try:
            return compile_ere(pattern)
        except PosixRegexError:
            raise self.error(line, f"Invalid regular expression for index {index}: {pattern}") from None

    # -- steps ---------------------------------------------------------------------------
    def add_step(self, el: etree._Element, steps: list[dict], desc: str) -> None:
        tag = el.tag
        line = el.sourceline
        index = len(steps)
        attrs = self.attributes(el)
        blocks = []
        for child in el:
            if isinstance(child.tag, str):
                if child.tag != "action":
                    raise self.error(child.sourceline, f"Unknown element '{child.tag}' in <{tag}>")
                if blocks:
                    raise self.error(child.sourceline, f"Duplicate action for {desc} index {index}")
                blocks.append(child)
        step: dict = {"line": line, "tag": tag, "attrs": attrs, "index": index}
        if tag == "send":
            step.update(self.send(el, attrs, line))
        elif tag == "recv":
            step.update(self.recv(attrs, line, index))
        elif tag in ("pause", "timewait"):
            step.update(self.pause(attrs, line, tag == "timewait"))
        elif tag == "sendCmd":
            step.update(self.send_cmd(el, line))
        elif tag == "recvCmd":
            step.update({"kind": StepKind.RECV_CMD, **self.optional(attrs)})
        else:
            step["kind"] = StepKind.NOP
        if blocks:
            step["actions"] = self.actions(blocks[0], index, steps)
        step.update(self.common(attrs, line))
        steps.append(step)

    def actions(self, block: etree._Element, index: int, steps: list[dict]) -> tuple[Action, ...]:
        return parse_actions(block, self.path, self.names, self.compile_attribute, index, lambda: len(steps),
                             read_attrs=self.wire_attributes)  # fmt: skip

    def rtd_name(self, value: str | None) -> str | None:
        if value is None or value.lower() == "false":
            return None
        name = "1" if value.lower() == "true" else value
        if name not in self.rtd_names:
            self.rtd_names.append(name)
        return name

    def common(self, attrs: dict[str, str], line: int) -> dict:
        if "hiderest" in attrs:
            self.hide_default = self.flag(attrs, "hiderest", "hiderest 'hiderest' parameter", line)
        out: dict = {
            "crlf": "crlf" in attrs,
            "hide": self.flag(attrs, "hide", "hide 'hide' parameter", line, self.hide_default),
            "display": attrs.get("display"),
            "counter": attrs.get("counter"),
            "start_rtd": self.rtd_name(attrs.get("start_rtd")),
            "rtd": self.rtd_name(attrs.get("rtd")),
            "repeat_rtd": attrs.get("repeat_rtd", "false").lower() in _TRUE,
            "ignoresdp": self.flag(attrs, "ignoresdp", "ignoresdp", line),
            "condexec_inverse": self.flag(
                attrs, "condexec_inverse", "condexec_inverse 'condexec_inverse' parameter", line
            ),  # fmt: skip
        }
        if "condexec" in attrs:
            out["condexec"] = self.names.use(attrs["condexec"], line, "condexec variable")
        if out["rtd"]:
            self.stopped_rtds.add(out["rtd"])
        if out["repeat_rtd"] and not out["rtd"]:
            raise self.error(line, "'repeat_rtd' is only allowed with 'rtd'")
        if out["counter"] and out["counter"] not in self.counters:
            self.counters.append(out["counter"])
        if "chance" in attrs:
            chance = self.number(attrs["chance"], "chance", line)
            if not 0 <= chance <= 1:
                raise self.error(line, f"Chance {chance} is out of range [0,1]")
            out["chance"] = chance
        if ("test" in attrs or "chance" in attrs) and "next" not in attrs:
            raise self.error(line, "'test' and 'chance' are only allowed with 'next'")
        if "test" in attrs:
            out["test"] = self.names.use(attrs["test"], line, "test variable")
        if "lost" in attrs:
            out["lost"] = self.number(attrs["lost"], "lost", line)
        return out

    def number(self, value: str, what: str, line: int) -> float:
        try:
            return float(value)
        except ValueError:
            raise self.error(line, f"'{what}' must be a number, not '{value}'") from None

    def integer(self, value: str, what: str, line: int) -> int:
        try:
            return int(value, 0) if value.strip()[:2].lower() == "0x" else int(value)
        except ValueError:
            raise self.error(line, f"'{what}' must be an integer, not '{value}'") from None

    def cdata(self, el: etree._Element) -> tuple[str, int]:
        """The message text of an element (its CDATA section) and the line where that text starts."""
        source = etree.tostring(el, encoding=str)
        found = _CDATA.search(source)
        text = found.group(1) if found else (el.text or "")
        start = source[: found.start(1)].count("\n") if found else 0
        return text.encode(self.encoding, errors="replace").decode("latin-1"), el.sourceline + start

    def send(self, el: etree._Element, attrs: dict[str, str], line: int) -> dict:
        raw, first_line = self.cdata(el)
        if not raw.strip():
            raise self.error(line, "No CDATA in 'send' section of xml scenario file")
        template = self.compile_message(raw, first_line, is_send=True)
        first = template.first_literal()
        first_token = first.split(" ", 1)[0].split("\r\n", 1)[0]
        if not first_token:
            raise self.error(line, "The message must start with literal text (a method or SIP/2.0)")
        is_request = first_token != "SIP/2.0"
        label = first_token
        if not is_request:
            code_text = first.split(" ", 2)[1] if first.count(" ") >= 1 else ""
            if not code_text[:3].isdigit() or not 100 <= int(code_text[:3]) < 700:
                raise self.error(line, "Response codes must be in the range of 100-700")
            label = code_text[:3]
        if "ack_txn" in attrs and label != "ACK":
            raise self.error(line, "'ack_txn' is only allowed on an ACK")
        if "start_txn" in attrs and label == "ACK":
            raise self.error(line, "'start_txn' is not allowed on an ACK")
        return {
            "kind": StepKind.SEND,
            "template": template,
            "label": label,
            "is_request": is_request,
            "is_invite": template.first_literal().startswith("INVITE"),
            "retrans": self.integer(attrs.get("retrans", "0"), "retrans", line),
            "txn": attrs.get("start_txn") or attrs.get("ack_txn"),
        }

    def send_cmd(self, el: etree._Element, line: int) -> dict:
        """`<sendCmd>` (3PCC): its command text; `dest` names the peer in extended 3PCC mode."""
        raw, first_line = self.cdata(el)
        if not raw.strip():
            raise self.error(line, "No CDATA in 'sendCmd' section of xml scenario file")
        return {"kind": StepKind.SEND_CMD, "template": self.compile_message(raw, first_line, is_send=False)}

    @staticmethod
    def optional(attrs: dict[str, str]) -> dict:
        optional = attrs.get("optional", "false").lower()
        return {
            "optional": optional in _TRUE or optional == "global",
            "optional_global": optional == "global",
        }

    def recv(self, attrs: dict[str, str], line: int, index: int) -> dict:
        response = attrs.get("response")
        request = attrs.get("request")
        if response is None and request is None:
            raise self.error(line, "<recv> is missing the required 'response' or 'request' parameter.")
        regexp_match = attrs.get("regexp_match") == "true"
        code = None
        out: dict = {"kind": StepKind.RECV, "request": request, **self.optional(attrs)}
        if response is not None:
            if regexp_match:  # [3.7.5+] a regular expression on the decimal code
                out["response_re"] = self.regexp(response, index, line)
                code = int(response) if response.isascii() and response.isdigit() else None
            else:
                code = self.integer(response, "response", line)
        if request is not None and regexp_match:
            out["request_re"] = self.regexp(request, index, line)
        out["advance_state"] = self.flag(attrs, "advance_state", "recv 'advance_state' parameter", line, True)
        if not out["advance_state"] and not out["optional"]:
            raise self.error(line, f"advance_state is allowed only for optional messages (index = {index})")
        out.update(
            response=code,
            label=str(code) if code is not None else response if response is not None else request,
            timeout=self.integer(attrs.get("timeout", "0"), "timeout", line),
            response_txn=attrs.get("response_txn"),
            rrs=self.flag(attrs, "rrs", "record route set", line),
            auth=self.flag(attrs, "auth", "message authentication", line),
        )
        return out

    def pause(self, attrs: dict[str, str], line: int, timewait: bool) -> dict:
        """A pause's length: a variable, a distribution (`pause_ms` too when fixed), or -d (none)."""
        out: dict = {"kind": StepKind.PAUSE, "timewait": timewait}
        if "variable" in attrs:
            out["pause_var"] = self.names.use(attrs["variable"], line, "pause")
            return out
        distribution = parse_distribution(attrs, self.path, line, for_sample=False)
        out["pause_dist"] = distribution
        if isinstance(distribution, Fixed):
            out["pause_ms"] = pause_length(distribution.sample())
        return out

    # -- whole-scenario checks ------------------------------------------------------------
    def resolve(self, label: str | None, labels: dict[str, int], step: dict, what: str) -> int | None:
        if label is None:
            return None
        if label not in labels:
            problem = f"The label '{label}' was not defined (index {step['index']}, {what} attribute)"
            raise self.error(step["line"], problem)
        return labels[label]

    def build(self, raw: list[dict], labels: dict[str, int]) -> list[Step]:
        """Steps from their parsed form: labels resolved, per-step sequence rules checked."""
        steps: list[Step] = []
        for i, st in enumerate(raw):
            attrs = st["attrs"]
            line = st["line"]
            if st.get("timewait") and i != len(raw) - 1:
                raise self.error(line, "<timewait> must be the last element of the scenario")
            if st.get("timewait") and ("next" in attrs or "ontimeout" in attrs):
                raise self.error(line, "<timewait> takes neither 'next' nor 'ontimeout'")
            if st["kind"] is StepKind.RECV and st["optional"] and i + 1 < len(raw):
                if raw[i + 1]["kind"] not in (StepKind.RECV, StepKind.RECV_CMD):
                    raise self.error(line, "<recv> before <send> sequence without a mandatory message. "
                                     "Please remove one 'optional=true'.")  # fmt: skip
            for action in st.get("actions", ()):
                problem = action.range_error(len(raw)) if isinstance(action, Jump) else None
                if problem:
                    raise self.error(action.line, problem)
            fields = {k: v for k, v in st.items() if k in Step.__dataclass_fields__}
            fields["next"] = self.resolve(attrs.get("next"), labels, st, "next")
            fields["ontimeout"] = self.resolve(attrs.get("ontimeout"), labels, st, "ontimeout")
            fields["txn"] = st.get("txn") or st.get("response_txn")
            steps.append(Step(**fields))
        return steps

    def finish(self, root: etree._Element, rt_rep: tuple[int, ...], cl_rep: tuple[int, ...],
               rep_rtds: tuple[str, ...]) -> Scenario:  # fmt: skip
        raw = self.steps
        if not raw:
            raise self.error(root.sourceline, "Did not find any messages inside of scenario!")
        for name in self.rtd_names:
            if name not in self.stopped_rtds:
                raise self.error(None, f"Response time duration '{name}' is started but never stopped")
        steps = self.build(raw, self.labels)
        init_steps = self.build(self.init_steps, self.init_labels)
        # SIPp looks these up (counting a reference) whether or not `_unexp.main` exists
        retaddr = self.names.find("_unexp.retaddr")
        pausedaddr = self.names.find("_unexp.pausedaddr")
        self.names.check()
        self.check_transactions(raw)
        for st in raw:
            if st["kind"] in (StepKind.SEND_CMD, StepKind.RECV_CMD):
                raise self.error(st["line"], "3PCC (sendCmd/recvCmd) is not supported yet")
        mode = next((Mode.CLIENT if st.kind is StepKind.SEND else Mode.SERVER for st in steps
                     if st.kind in (StepKind.SEND, StepKind.RECV)), None)  # fmt: skip
        if mode is None:
            raise self.error(None, "Unable to determine creation mode of the tool (server, client)")
        methods_before = self.methods_before(raw)
        steps = [_with_methods(s, m) for s, m in zip(steps, methods_before, strict=True)]
        pauses = [s for s in steps if s.kind is StepKind.PAUSE and s.pause_var is None]
        return Scenario(
            name=self.name,
            title=self.title,
            path=self.path,
            steps=tuple(steps),
            mode=mode,
            rtd_names=tuple(self.rtd_names),
            counters=tuple(self.counters),
            response_time_repartition=rt_rep,
            call_length_repartition=cl_rep,
            repartition_rtds=rep_rtds,
            labels=dict(self.labels),
            pause_total_ms=sum(duration_ms(s.pause_dist) for s in pauses if s.pause_dist is not None),
            has_default_pause=any(s.pause_dist is None for s in pauses),
            init_steps=tuple(init_steps),
            default_messages=dict(self.default_messages),
            unexp_retaddr=retaddr,
            unexp_pausedaddr=pausedaddr,
            variable_scopes=self.names.scopes(),
        )

    def check_transactions(self, raw: list[dict]) -> None:
        """SIPp's transaction rules (reference 3.4): each transaction is started by one request,
        has a response recv, and is ACKed exactly when it is an INVITE transaction."""
        started: dict[str, dict] = {}
        for st in raw:
            if st["kind"] is StepKind.SEND and st.get("txn") and st["label"] != "ACK":
                started.setdefault(st["txn"], st)
        answered = {st["response_txn"] for st in raw if st.get("response_txn")}
        acked = {st["txn"]: st for st in raw if st.get("txn") and st.get("label") == "ACK"}
        for st in raw:
            name = st.get("response_txn") or (st.get("txn") if st.get("label") == "ACK" else None)
            if name and name not in started:
                raise self.error(st["line"], f"Transaction '{name}' is never started")
        for name, st in started.items():
            if name not in answered:
                raise self.error(st["line"], f"Transaction '{name}' has no response recv")
            if st["label"] == "INVITE" and name not in acked:
                raise self.error(st["line"], f"INVITE transaction '{name}' has no ack_txn ACK")
            if st["label"] != "INVITE" and name in acked:
                raise self.error(acked[name]["line"], f"Non-INVITE transaction '{name}' can not be ACKed")

    @staticmethod
    def methods_before(raw: list[dict]) -> list[str]:
        """For each step, the concatenated methods of the requests sent before it (SIPp's test)."""
        out, acc = [], ""
        for st in raw:
            out.append(acc)
            if st["kind"] is StepKind.SEND and st["is_request"] and not st.get("txn"):
                acc += st["label"]
        return out


def _with_methods(step: Step, methods: str) -> Step:
    if step.kind is not StepKind.RECV or (step.response is None and step.response_re is None):
        return step
    return replace(step, methods_before=methods)
