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
