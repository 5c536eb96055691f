"""XML scenario file -> `Scenario`, with SIPp's load-time checks and file:line errors.

Everything that can be decided before the first call is decided here: message texts are normalised
and compiled, labels resolved, RTDs numbered, the client/server mode derived. A mistake raises
`ScenarioError` naming the file, the line and what is wrong.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from lxml import etree

from sipperf.errors import ScenarioError
from sipperf.scenario import builtin
from sipperf.scenario.keywords import is_known
from sipperf.scenario.model import Mode, Scenario, Step, StepKind
from sipperf.scenario.template import Template, TemplateSyntaxError, normalize_cdata

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_COMMON = {"next", "test", "chance", "start_rtd", "rtd", "repeat_rtd", "counter", "crlf", "hide",
           "display", "lost", "ignoresdp"}  # fmt: skip
_ALLOWED = {
    "send": _COMMON | {"retrans", "start_txn", "ack_txn", "timeout", "ontimeout"},
    "recv": _COMMON | {"response", "request", "optional", "timeout", "ontimeout", "response_txn"},
    "pause": _COMMON | {"milliseconds"},
    "timewait": _COMMON | {"milliseconds"},
    "nop": _COMMON,
}
# Attributes and elements of SIPp's language that this version does not run yet: refusing them
# beats running a scenario differently from SIPp.
_NOT_YET_ATTRS = {"rrs", "auth", "regexp_match", "advance_state", "condexec", "condexec_inverse",
                  "hiderest", "variable", "distribution", "min", "max", "normal", "exponential",
                  "lognormal", "weibull", "pareto", "gamma", "negbin", "sanity_check"}  # fmt: skip
_NOT_YET_ELEMENTS = {"sendCmd", "recvCmd", "init", "Global", "User", "Reference", "DefaultMessage"}
_TRUE = ("true", "1", "yes")


def builtin_path(name: str) -> str:
    return f"<builtin {name}>"


def load_builtin(name: str, custom_keys: frozenset[str] = frozenset()) -> Scenario:
    data = builtin.xml(name)
    if data is None:
        raise ScenarioError(builtin_path(name), None, f"scenario '{name}' is not supported yet")
    return _Loader(builtin_path(name), name, custom_keys).load(data)


def load_file(path: str, custom_keys: frozenset[str] = frozenset()) -> Scenario:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        raise ScenarioError(path, None, f"Unable to open scenario file: {err.strerror}") from None
    base = os.path.basename(path)
    name = base[:-4] if base.endswith(".xml") else base
    return _Loader(path, name, custom_keys).load(data)


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
    def __init__(self, path: str, name: str, custom_keys: frozenset[str]) -> None:
        self.path = path
        self.name = name
        self.custom_keys = custom_keys
        self.steps: list[dict] = []
        self.labels: dict[str, int] = {}
        self.rtd_names: list[str] = []
        self.stopped_rtds: set[str] = set()
        self.counters: list[str] = []
        self.encoding = "utf-8"

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
        rt_rep: tuple[int, ...] = ()
        cl_rep: tuple[int, ...] = ()
        rep_rtds: tuple[str, ...] = ()
        for el in root:
            if not isinstance(el.tag, str):
                continue
            tag = el.tag
            if tag == "label":
                self.add_label(el)
            elif tag in _ALLOWED:
                self.add_step(el)
            elif tag == "ResponseTimeRepartition":
                rt_rep = self.repartition(el)
                rep_rtds = tuple(self.rtd_names)
            elif tag == "CallLengthRepartition":
                cl_rep = self.repartition(el)
            elif tag in _NOT_YET_ELEMENTS:
                raise self.error(el.sourceline, f"element <{tag}> is not supported yet")
            else:
                raise self.error(el.sourceline, f"Unknown element '{tag}' in xml scenario file")
        return self.finish(root, rt_rep, cl_rep, rep_rtds)

    def add_label(self, el: etree._Element) -> None:
        label = el.get("id")
        if label is None:
            raise self.error(el.sourceline, "<label> is missing the required 'id' parameter.")
        if label in self.labels:
            raise self.error(el.sourceline, f"The label name '{label}' is used twice.")
        self.labels[label] = len(self.steps)

    def repartition(self, el: etree._Element) -> tuple[int, ...]:
        value = el.get("value", "")
        parts = [p.strip(" \t") for p in value.split(",")]
        if not all(p.isdigit() for p in parts):
            raise self.error(el.sourceline, f"Invalid repartition value '{value}'")
        return tuple(sorted(int(p) for p in parts))

    # -- steps ---------------------------------------------------------------------------
    def add_step(self, el: etree._Element) -> None:
        tag = el.tag
        line = el.sourceline
        attrs = {k: _unescape(v) for k, v in el.attrib.items()}
        for attr in attrs:
            if attr in _NOT_YET_ATTRS:
                raise self.error(line, f"attribute '{attr}' of <{tag}> is not supported yet")
        for child in el:
            if isinstance(child.tag, str):
                if child.tag == "action":
                    names = [c.tag for c in child if isinstance(c.tag, str)]
                    raise self.error(child.sourceline, f"actions are not supported yet: {', '.join(names)}")
                raise self.error(child.sourceline, f"Unknown element '{child.tag}' in <{tag}>")
        step: dict = {"line": line, "tag": tag, "attrs": attrs, "index": len(self.steps)}
        common = self.common(attrs, line)
        if tag == "send":
            step.update(self.send(el, attrs, line))
        elif tag == "recv":
            step.update(self.recv(attrs, line))
        elif tag in ("pause", "timewait"):
            step.update(self.pause(attrs, line, tag == "timewait"))
        else:
            step["kind"] = StepKind.NOP
        step.update(common)
        self.steps.append(step)

    def rtd_name(self, value: str | None) -> str | None:
        if value is None or value.lower() == "false":
            return None
        name = "1" if value.lower() == "true" else value
        if name not in self.rtd_names:
            self.rtd_names.append(name)
        return name

    def common(self, attrs: dict[str, str], line: int) -> dict:
        out: dict = {
            "crlf": "crlf" in attrs,
            "hide": attrs.get("hide", "false").lower() in _TRUE,
            "display": attrs.get("display"),
            "test": attrs.get("test"),
            "counter": attrs.get("counter"),
            "start_rtd": self.rtd_name(attrs.get("start_rtd")),
            "rtd": self.rtd_name(attrs.get("rtd")),
            "repeat_rtd": attrs.get("repeat_rtd", "false").lower() in _TRUE,
        }
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
        text = normalize_cdata(raw, is_send=True)
        try:
            template = Template.compile(text, lambda kw: is_known(kw.name, self.custom_keys))
        except TemplateSyntaxError as err:
            at = raw.find(err.text)
            raise self.error(first_line + raw[: max(at, 0)].count("\n"), str(err)) from None
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
            "is_invite": text.startswith("INVITE"),
            "retrans": self.integer(attrs.get("retrans", "0"), "retrans", line),
            "txn": attrs.get("start_txn") or attrs.get("ack_txn"),
        }

    def recv(self, attrs: dict[str, str], line: int) -> dict:
        response = attrs.get("response")
        request = attrs.get("request")
        if response is None and request is None:
            raise self.error(line, "<recv> is missing the required 'response' or 'request' parameter.")
        code = None
        if response is not None:
            code = self.integer(response, "response", line)
        optional = attrs.get("optional", "false").lower()
        out = {
            "kind": StepKind.RECV,
            "response": code,
            "request": request,
            "label": str(code) if code is not None else request,
            "optional": optional in _TRUE or optional == "global",
            "optional_global": optional == "global",
            "timeout": self.integer(attrs.get("timeout", "0"), "timeout", line),
            "response_txn": attrs.get("response_txn"),
        }
        return out

    def pause(self, attrs: dict[str, str], line: int, timewait: bool) -> dict:
        ms = attrs.get("milliseconds")
        return {
            "kind": StepKind.PAUSE,
            "timewait": timewait,
            "pause_ms": None if ms is None else self.integer(ms, "milliseconds", line),
        }

    # -- whole-scenario checks ------------------------------------------------------------
    def resolve(self, label: str | None, line: int, what: str) -> int | None:
        if label is None:
            return None
        if label not in self.labels:
            raise self.error(line, f"The label '{label}' used in '{what}' is not defined")
        return self.labels[label]

    def finish(self, root: etree._Element, rt_rep: tuple[int, ...], cl_rep: tuple[int, ...],
               rep_rtds: tuple[str, ...]) -> Scenario:  # fmt: skip
        raw = self.steps
        if not raw:
            raise self.error(root.sourceline, "Did not find any messages inside of scenario!")
        for name in self.rtd_names:
            if name not in self.stopped_rtds:
                raise self.error(None, f"Response time duration '{name}' is started but never stopped")
        mode = None
        for st in raw:
            if st["kind"] is StepKind.SEND:
                mode = Mode.CLIENT
                break
            if st["kind"] is StepKind.RECV:
                mode = Mode.SERVER
                break
        if mode is None:
            raise self.error(None, "Unable to determine creation mode of the tool (server, client)")
        steps: list[Step] = []
        self.check_transactions(raw)
        for i, st in enumerate(raw):
            attrs = st["attrs"]
            line = st["line"]
            if st.get("timewait") and i != len(raw) - 1:
                raise self.error(line, "<timewait> must be the last element of the scenario")
            if st.get("timewait") and ("next" in attrs or "ontimeout" in attrs):
                raise self.error(line, "<timewait> takes neither 'next' nor 'ontimeout'")
            if st["kind"] is StepKind.RECV and st["optional"] and i + 1 < len(raw):
                if raw[i + 1]["kind"] is not StepKind.RECV:
                    raise self.error(line, "<recv> before <send> sequence without a mandatory message. "
                                     "Please remove one 'optional=true'.")  # fmt: skip
            fields = {k: v for k, v in st.items() if k in Step.__dataclass_fields__}
            fields["next"] = self.resolve(attrs.get("next"), line, "next")
            fields["ontimeout"] = self.resolve(attrs.get("ontimeout"), line, "ontimeout")
            fields["txn"] = st.get("txn") or st.get("response_txn")
            steps.append(Step(**fields))
        methods_before = self.methods_before(raw)
        steps = [_with_methods(s, m) for s, m in zip(steps, methods_before, strict=True)]
        fixed = sum(s.pause_ms or 0 for s in steps if s.kind is StepKind.PAUSE)
        return Scenario(
            name=self.name,
            title=root.get("name", ""),
            path=self.path,
            steps=tuple(steps),
            mode=mode,
            rtd_names=tuple(self.rtd_names),
            counters=tuple(self.counters),
            response_time_repartition=rt_rep,
            call_length_repartition=cl_rep,
            repartition_rtds=rep_rtds,
            labels=dict(self.labels),
            pause_total_ms=fixed,
            has_default_pause=any(s.kind is StepKind.PAUSE and s.pause_ms is None for s in steps),
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
    if step.kind is not StepKind.RECV or step.response is None:
        return step
    return replace(step, methods_before=methods)
