"""A step's `<action>` block run for one call: the `ActionContext` the scenario's actions act through.

`CallActions` is made only when a step has actions, so steps without any cost nothing. It gives the
actions the call's variables (and its user's, and the global ones), renders templated attributes
for the call, and collects what the block asks the call to do afterwards (jump, stop); the call
applies that once the whole block has run (reference 3.5 step 11, section 4). An `<error>` or a
`stop_now` ends the run at once, the rest of the block included, as SIPp exits there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from sipperf.errors import FatalError
from sipperf.scenario.variables import Scope, Value

if TYPE_CHECKING:
    from sipperf.engine.call import Call
    from sipperf.scenario.injection import InjectionFile
    from sipperf.scenario.template import Template


class RunStopped(Exception):
    """`exec int_cmd="stop_now"` ended the run: nothing more of the block or of the call runs."""


class CallActions:
    """The context of one action block: what the block read and what it asked for."""

    __slots__ = ("call", "step_index", "message", "jump_to", "stop")

    def __init__(self, call: Call, step_index: int, message: str) -> None:
        self.call = call
        self.step_index = step_index
        self.message = message
        self.jump_to: int | None = None
        self.stop = False  # stop_call

    def variables(self, scope: Scope) -> dict[str, Value]:
        call = self.call
        if scope is Scope.CALL:
            if call.variables is None:
                call.variables = {}
            return call.variables
        engine = call.engine
        if scope is Scope.GLOBAL:
            return engine.global_variables
        return engine.user_variables.setdefault(call.userid, {})

    def render(self, template: object) -> str:
        return self.call.engine.render_text(cast("Template", template), self.call)

    def warning(self, text: str) -> None:
        self.call.engine.warning(text)

    def log(self, text: str) -> None:
        self.call.engine.action_log(text)

    def error(self, text: str) -> None:
        raise FatalError(text)

    def jump(self, index: int) -> None:
        self.jump_to = index

    def stop_call(self) -> None:
        self.stop = True

    def stop_gracefully(self) -> None:
        self.call.engine.quit(graceful=True)

    def stop_now(self) -> None:
        self.call.engine.exit_now()
        raise RunStopped

    def run_command(self, command: str) -> None:
        self.call.engine.run_command(command)

    def set_dest(self, host: str, port: int, protocol: str) -> None:
        self.call.set_destination(host, port, protocol)

    def close_connection(self) -> None:
        """One UDP socket is shared by every call: the call has no connection of its own to close."""

    def pause_restore(self, ms: float) -> None:
        self.call.pause_end = ms

    def injection_file(self, name: str) -> InjectionFile | None:
        files = self.call.engine.injection
        return files.get(name) if files is not None else None
