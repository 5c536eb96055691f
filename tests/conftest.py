"""Test session set-up: never test a compiled module older than its source.

`pip install -e .` compiles the hot-path modules with mypyc (setup.py) next to their `.py` files,
and Python imports the compiled one first; after an edit, the tests would run the old code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sipperf

PACKAGE = Path(sipperf.__file__).parent


def stale_compiled_modules() -> list[str]:
    """The compiled modules whose `.py` changed after they were built."""
    stale = []
    for built in PACKAGE.rglob("*.so"):
        source = built.parent / (built.name.split(".", 1)[0] + ".py")
        if source.exists() and source.stat().st_mtime > built.stat().st_mtime:
            stale.append(str(source.relative_to(PACKAGE.parent)))
    return sorted(stale)


def pytest_sessionstart(session: pytest.Session) -> None:
    stale = stale_compiled_modules()
    if stale:
        pytest.exit(
            f"compiled modules older than their source: {', '.join(stale)}; rebuild them with "
            "`pip install -e .`",
            returncode=2,
        )
