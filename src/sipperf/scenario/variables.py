"""Scenario variables: their values as SIPp sees them, and the load-time registry of their names.

A variable's value is a `str` (a regular-expression match or a string), a `float` (a double) or a
`bool`; a variable never assigned has no value (None). The functions here are SIPp's
`CCallVariable` rules: how a value renders in a message, when it is "set" (for `test=` and
`condexec=`), what it reads as a double or as text.

`VariableNames` is SIPp's `AllocVariableTable` chain, used while a scenario loads: three tables
(global, user, call) where every declaration and every use of a name counts a reference, a use
finds the name in the call, then the user, then the global table and otherwise creates it in the
call table, and `check()` refuses a name referenced fewer than twice. Each name gets SIPp's
variable id (its number in its table and the table's level), which SIPp prints in some warnings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sipperf.cnumbers import parse_double
from sipperf.errors import ScenarioError

Value = str | float | bool


class Scope(enum.Enum):
    """Where a variable lives; the value is SIPp's table level (part of its variable ids)."""

    GLOBAL = 0  # <Global variables=...>: one value for the whole run
    USER = 1  # <User variables=...>: one value per -users user
    CALL = 2  # everything else: one value per call


@dataclass(frozen=True, slots=True)
class VarRef:
    """A variable as the scenario names it: `name` in `scope`. `number` (its rank in its table,
    from 1) only serves `sipp_id`."""

    name: str
    scope: Scope
    number: int = field(default=0, compare=False)

    @property
    def sipp_id(self) -> int:
        """SIPp's id of the variable (`$<id>` in some of its warnings)."""
        return self.number << 8 | self.scope.value


def render(value: Value | None) -> str:
    """A value as `[$name]` renders it. SIPp renders only a "set" variable, except that a false
    bool renders `false`: a double is C's `%lf` (`3.000000`), and a zero double renders nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value:
        return f"{value:f}"
    return ""


def is_set(value: Value | None) -> bool:
    """SIPp's test for `test=` and `condexec=`: a string or match once assigned, a true bool, a
    non-zero (or NaN) double."""
    if isinstance(value, str):
        return True
    return bool(value)


def as_double(value: Value | None) -> float:
    """A value read as a double by arithmetic and `<test>`: only doubles count, anything else is 0."""
    return value if isinstance(value, float) else 0.0


def as_text(value: Value | None) -> str:
    """A value read as text by `<strcmp>`, `<trim>`, `ereg search_in="var"`...: only strings and
    matches count, anything else is empty."""
    return value if isinstance(value, str) else ""


def to_double(value: Value | None) -> float | None:
    """`<todouble>`: a string or match through C strtod (the whole text must be a number), a double
    as is, a bool as 0 or 1; None when it cannot be converted (unset, or not a number)."""
    if isinstance(value, str):
        return parse_double(value)
    if value is None:
        return None
    return float(value)


@dataclass(slots=True)
class _Entry:
    number: int
    references: int
    line: int | None


class VariableNames:
    """The names of a scenario's variables while it loads (SIPp's three `AllocVariableTable`s).

    Call `declare`, `reference` and `use` in file order, as SIPp reads the file: a `<Reference>`
    only finds names already seen. Errors raise `ScenarioError` naming `path` and the line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._tables: dict[Scope, dict[str, _Entry]] = {scope: {} for scope in Scope}

    def declare(self, scope: Scope, names: str, line: int) -> None:
        """`<Global variables="a,b">` / `<User ...>`: each name counts once in that table (SIPp
        splits on commas and trims nothing)."""
        for name in names.split(","):
            self._count(scope, name, line)

    def reference(self, names: str, line: int) -> None:
        """`<Reference variables="a,b">`: one more reference to each, which must exist already."""
        for name in names.split(","):
            if self.find(name) is None:
                raise ScenarioError(self.path, line, f"Could not reference non-existant variable '{name}'")

    def use(self, name: str, line: int, what: str = "variable") -> VarRef:
        """A use of a variable (an action's attribute, `test=`, `condexec=`, `[$name]` ...): SIPp's
        `get_var`. `what` is the element or attribute SIPp's error messages name."""
        # SIPp's texts say "Transaction" here (its get_var and get_txn messages are swapped).
        if not name:
            raise ScenarioError(self.path, line, f"Transaction names may not be empty for {what}")
        if "$" in name or "," in name:
            raise ScenarioError(self.path, line, f"Transaction names may not contain '$' or ',' for {what}")
        found = self.find(name)
        return found if found is not None else self._count(Scope.CALL, name, line)

    def find(self, name: str) -> VarRef | None:
        """The variable `name` if it exists (counting one more reference to it), else None:
        SIPp's `find_var`, as used for `_unexp.retaddr` and `_unexp.pausedaddr`."""
        for scope in (Scope.CALL, Scope.USER, Scope.GLOBAL):
            if name in self._tables[scope]:
                return self._count(scope, name, None)
        return None

    def scopes(self) -> dict[str, Scope]:
        """The user and global variables by name, less those a call variable of the same name
        hides (a name used before its declaration, which SIPp then keeps per call)."""
        calls = self._tables[Scope.CALL]
        found: dict[str, Scope] = {}
        for scope in (Scope.GLOBAL, Scope.USER):
            found.update((name, scope) for name in self._tables[scope] if name not in calls)
        return found

    def check(self) -> None:
        """SIPp's end-of-load check: every variable but `_` is referenced at least twice."""
        for scope in (Scope.CALL, Scope.USER, Scope.GLOBAL):
            table = self._tables[scope]
            for name in sorted(table):
                entry = table[name]
                if entry.references < 2 and name != "_":
                    raise ScenarioError(
                        self.path, entry.line, f"Variable ${name} is referenced {entry.references} times!"
                    )

    def _count(self, scope: Scope, name: str, line: int | None) -> VarRef:
        table = self._tables[scope]
        entry = table.get(name)
        if entry is None:
            entry = table[name] = _Entry(len(table) + 1, 0, line)
        entry.references += 1
        return VarRef(name, scope, entry.number)
