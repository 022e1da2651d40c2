"""The core knows the method and nothing of Slack, Teams or SQL."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "bot.domain", "bot.ports", "bot.services", "bot.commands", "bot.subcommands", "bot.text",
    "bot.views", "bot.weeks", "bot.parsing", "bot.journeys", "bot.filing", "bot.config",
    "bot.clock", "handlers.console.chat",
]


def test_importing_the_core_loads_no_platform_or_sql_module() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('slack_bolt', 'slack_sdk', 'botbuilder', 'botframework', 'sqlalchemy', 'alembic', "
        "'psycopg', 'storage', 'aiohttp'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_the_wiring_module_does_join_core_and_storage() -> None:
    # the check above can only fail if the detection works: the wiring must pull storage in
    code = "import sys, bot.app\nprint('sqlalchemy' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


# The one library the core may load besides the standard library: Google's phone numbering
# plans, pure data and functions, so that redaction is one rule in every door, the console and
# the tests alike (a port with a simpler stand-in would make tests check a different rule).
# pydantic backs bot/config.py's Settings, as the architecture allows.
CORE_LIBRARIES = {"phonenumbers", "pydantic", "pydantic_core", "pydantic_settings",
                  "typing_extensions", "annotated_types", "typing_inspection"}


def test_the_core_loads_the_standard_library_and_phonenumbers_only() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "import bot.redact\n"
        "bot.redact.redact('call 0701234567 about PNR ABC123')  # loads what redaction needs\n"
        "std = set(sys.stdlib_module_names) | {'bot', 'handlers', '__main__', '__mp_main__'}\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} - std)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {m for m in done.stdout.strip().split(",") if m and not m.startswith("_")}
    assert "phonenumbers" in loaded  # the check can fail: redaction does pull the library in
    assert loaded <= CORE_LIBRARIES
