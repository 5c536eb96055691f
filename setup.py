"""Build script: the hot-path modules are compiled to C extensions with mypyc.

Everything else in `pyproject.toml`. The compiled modules are the receive -> parse -> dispatch ->
send path and the timers; the same `.py` files run as plain Python when
SIPPERF_PURE_PYTHON=1 is set at install time (or when no C compiler is available to pip).
"""

import os

from setuptools import setup

COMPILED = [
    "sipperf/scenario/model.py",
    "sipperf/sip/message.py",
    "sipperf/sip/headers.py",
    "sipperf/engine/call.py",
    "sipperf/engine/call_actions.py",
    "sipperf/engine/dead_calls.py",
    "sipperf/engine/engine.py",
    "sipperf/engine/event_loop.py",
    "sipperf/engine/numbers.py",
    "sipperf/engine/rate.py",
    "sipperf/engine/timers.py",
    "sipperf/stats/counters.py",
    "sipperf/transport/udp.py",
]


def ext_modules() -> list:
    if os.environ.get("SIPPERF_PURE_PYTHON"):
        return []
    from mypyc.build import mypycify

    return mypycify(["--ignore-missing-imports", *(f"src/{path}" for path in COMPILED)], opt_level="3")


setup(ext_modules=ext_modules())
