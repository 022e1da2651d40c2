"""The layers, checked by importing them: handlers/ -> bot/ <- storage/.

The core (every module under bot/) loads the standard library and itself only; storage loads the
core and SQL but no door; only the wiring (handlers/bootstrap.py) joins all three. The same
layers are checked statically by import-linter (tests/test_import_contracts.py).
"""

from __future__ import annotations

import subprocess
import sys

DOOR_PACKAGES = ("handlers", "slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp",
                 "apscheduler", "PIL")
SQL_PACKAGES = ("storage", "sqlalchemy", "alembic", "psycopg")


def _loaded_after_importing(package: str, *, skip: tuple[str, ...] = (), then: str = "") -> set[str]:
    """The top-level modules loaded by a fresh interpreter after importing every module of
    ``package`` (found on disk, not listed by hand) but those under ``skip``, then ``then``."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"import {package} as root\n"
        f"skip = {skip!r}\n"
        "for info in pkgutil.walk_packages(root.__path__, root.__name__ + '.'):\n"
        "    if not (skip and info.name.startswith(skip)):\n"
        "        importlib.import_module(info.name)\n"
        f"{then}\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {m for m in done.stdout.strip().split(",") if m}


def _not_standard(modules: set[str]) -> set[str]:
    std = set(sys.stdlib_module_names) | {"__main__", "__mp_main__"}
    return {m for m in modules if m not in std and not m.startswith("_")}


def test_the_core_loads_the_standard_library_and_itself_only() -> None:
    loaded = _loaded_after_importing("bot")
    assert "bot" in loaded and "storage" not in loaded
    assert _not_standard(loaded) == {"bot"}


def test_redaction_loads_phonenumbers_and_nothing_else_outside_the_standard_library() -> None:
    # the one library the core may load, lazily: Google's phone numbering plans, pure data and
    # functions, so that redaction is one rule in every door, the console and the tests alike
    loaded = _loaded_after_importing(
        "bot", then="import bot.redact\nbot.redact.redact('call 0701234567 about PNR ABC123')")
    assert _not_standard(loaded) == {"bot", "phonenumbers"}


def test_storage_loads_the_core_and_sql_but_no_door() -> None:
    loaded = _loaded_after_importing("storage", skip=("storage.migrations",))
    assert {"storage", "bot", "sqlalchemy", "alembic"} <= loaded
    assert not loaded & set(DOOR_PACKAGES)


def test_the_doors_load_what_the_core_must_not() -> None:
    # the checks above can only fail if the detection works: the outer ring pulls all of it in
    loaded = _loaded_after_importing("handlers", then="import handlers.bootstrap")
    assert {"bot", "storage", "sqlalchemy", "slack_bolt", "botbuilder", "aiohttp"} <= loaded
